// XMLTree: a small XML tree reader over Foundation's XMLParser, for tests that check the SVG and
// HTML kdistill writes (report drawings and page, attention pictures).

import Foundation
import XCTest

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// An XML element read back.
public final class XMLTreeNode {
    /// Tag name.
    public let name: String
    /// Attributes by name.
    public let attributes: [String: String]
    /// Child elements in order.
    public var children: [XMLTreeNode] = []
    /// Text directly inside.
    public var text = ""

    /// An element without children.
    public init(name: String, attributes: [String: String]) { (self.name, self.attributes) = (name, attributes) }

    /// Every descendant (and self) named `name`, in document order.
    public func all(_ name: String) -> [XMLTreeNode] { (self.name == name ? [self] : []) + children.flatMap { $0.all(name) } }

    /// Descendants whose `class` is `cls`.
    public func all(_ name: String, cls: String) -> [XMLTreeNode] { all(name).filter { $0.attributes["class"] == cls } }

    /// All text inside, concatenated.
    public var allText: String { text + children.map(\.allText).joined() }

    /// Attribute `key` as a Double.
    public func number(_ key: String) -> Double? { attributes[key].flatMap(Double.init) }
}

/// Parses XML text into XMLTreeNode (fails the test on a syntax error).
public final class XMLTreeBuilder: NSObject, XMLParserDelegate {
    var stack: [XMLTreeNode] = []
    var root: XMLTreeNode?

    /// The root element of `text`.
    public static func parse(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> XMLTreeNode {
        let parser = XMLParser(data: Data(text.utf8))
        let builder = XMLTreeBuilder()
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else {
            XCTFail("not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "?")", file: file, line: line)
            throw XCTSkip("unparsable XML")
        }
        return root
    }

    public func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
        attributes attributeDict: [String: String] = [:]
    ) {
        let node = XMLTreeNode(name: elementName, attributes: attributeDict)
        stack.last?.children.append(node)
        if root == nil { root = node }
        stack.append(node)
    }

    public func parser(
        _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?
    ) {
        stack.removeLast()
    }

    public func parser(_ parser: XMLParser, foundCharacters string: String) { stack.last?.text += string }
}
