import XCTest
final class PlaceholderKDTrainTests: XCTestCase { func testNothing() {} }
