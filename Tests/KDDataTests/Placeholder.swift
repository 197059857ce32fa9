import XCTest
final class PlaceholderKDDataTests: XCTestCase { func testNothing() {} }
