import XCTest
final class PlaceholderKDMethodsTests: XCTestCase { func testNothing() {} }
