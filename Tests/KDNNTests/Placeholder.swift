import XCTest
final class PlaceholderKDNNTests: XCTestCase { func testNothing() {} }
