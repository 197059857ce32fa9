// LocalHTTPServer: a tiny HTTP/1.1 server on 127.0.0.1 (POSIX sockets, one thread per connection)
// serving in-memory files with `Range: bytes=N-` support, for offline download tests.

import Foundation

/// Serves registered byte arrays at paths; records every request; can cut a response short.
public final class LocalHTTPServer: @unchecked Sendable {
    /// One request as received.
    public struct Request: Equatable {
        /// The request path (`/file.gz`).
        public let path: String
        /// The value of the Range header, if any.
        public let range: String?

        /// A request record.
        public init(path: String, range: String?) {
            self.path = path
            self.range = range
        }
    }

    /// The port the server listens on.
    public private(set) var port: UInt16 = 0
    private var listener: Int32 = -1
    private let lock = NSLock()
    private var files: [String: [UInt8]] = [:]
    private var cuts: [String: (bytes: Int, times: Int)] = [:]
    private var log: [Request] = []
    private var stopped = false
    private let acceptorDone = DispatchSemaphore(value: 0)

    /// Starts listening on an ephemeral port of 127.0.0.1.
    public init() throws {
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw ServerError(message: "socket: \(errno)") }
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 16) == 0 else {
            close(listener)
            throw ServerError(message: "bind/listen: \(errno)")
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &len) }
        }
        port = UInt16(bigEndian: addr.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit { stop() }

    /// `http://127.0.0.1:<port>/`.
    public var baseURL: String { "http://127.0.0.1:\(port)/" }

    /// Serves `bytes` at `path` (with or without a leading slash).
    public func serve(_ path: String, _ bytes: [UInt8]) {
        lock.lock(); files[normalize(path)] = bytes; lock.unlock()
    }

    /// The next `times` responses for `path` send only `afterBytes` body bytes, then close the connection.
    public func cutConnection(path: String, afterBytes: Int, times: Int = 1) {
        lock.lock(); cuts[normalize(path)] = (afterBytes, times); lock.unlock()
    }

    /// Every request received so far.
    public var requests: [Request] {
        lock.lock(); defer { lock.unlock() }
        return log
    }

    /// Stops listening and waits for the accept loop to end. Idempotent.
    public func stop() {
        lock.lock()
        let wasRunning = !stopped
        stopped = true
        lock.unlock()
        guard wasRunning else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        acceptorDone.wait()
    }

    /// A port on 127.0.0.1 that nothing listens on (bound then released).
    public static func unusedPort() -> UInt16 {
        guard let s = try? LocalHTTPServer() else { return 9 }
        let p = s.port
        s.stop()
        return p
    }

    private func normalize(_ path: String) -> String { path.hasPrefix("/") ? path : "/" + path }

    private func acceptLoop() {
        defer { acceptorDone.signal() }
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            lock.lock(); let done = stopped; lock.unlock()
            if done { close(client); return }
            Thread { [self] in handle(client) }.start()
        }
    }

    private func handle(_ client: Int32) {
        defer { close(client) }
        var request = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 4096)
        while request.count < 65_536 {
            let n = recv(client, &buf, buf.count, 0)
            if n <= 0 { return }
            request += buf[0..<n]
            if request.count >= 4, String(decoding: request, as: UTF8.self).contains("\r\n\r\n") { break }
        }
        let lines = String(decoding: request, as: UTF8.self).components(separatedBy: "\r\n")
        let parts = lines.first?.split(separator: " ") ?? []
        guard parts.count >= 2, parts[0] == "GET" || parts[0] == "HEAD" else {
            return send(client, status: "405 Method Not Allowed", headers: [], body: [])
        }
        let path = String(parts[1])
        let range = lines.dropFirst().first { $0.lowercased().hasPrefix("range:") }
            .map { String($0.dropFirst(6)).trimmingCharacters(in: .whitespaces) }
        lock.lock()
        log.append(Request(path: path, range: range))
        let file = files[path]
        var cutAfter: Int?
        if let c = cuts[path], c.times > 0 {
            cutAfter = c.bytes
            cuts[path] = (c.bytes, c.times - 1)
        }
        lock.unlock()
        guard let file else { return send(client, status: "404 Not Found", headers: [], body: Array("not found".utf8)) }
        var start = 0
        if let r = range, r.hasPrefix("bytes="), r.hasSuffix("-"), let n = Int(r.dropFirst(6).dropLast()) { start = n }
        if start > 0 && start >= file.count {
            return send(client, status: "416 Range Not Satisfiable", headers: ["Content-Range: bytes */\(file.count)"], body: [])
        }
        let body = Array(file[start...])
        let headers =
            ["Content-Length: \(body.count)", "Content-Type: application/octet-stream"]
            + (start > 0 ? ["Content-Range: bytes \(start)-\(file.count - 1)/\(file.count)"] : [])
        send(
            client, status: start > 0 ? "206 Partial Content" : "200 OK", headers: headers,
            body: parts[0] == "HEAD" ? [] : body, cutAfter: cutAfter)
    }

    private func send(_ client: Int32, status: String, headers: [String], body: [UInt8], cutAfter: Int? = nil) {
        var head = "HTTP/1.1 \(status)\r\nConnection: close\r\n"
        if !headers.contains(where: { $0.hasPrefix("Content-Length") }) { head += "Content-Length: \(body.count)\r\n" }
        for h in headers { head += h + "\r\n" }
        head += "\r\n"
        var out = Array(head.utf8)
        out += body.prefix(cutAfter ?? body.count)
        var sent = 0
        while sent < out.count {
            let n = out[sent...].withUnsafeBytes { Foundation.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            sent += n
        }
        shutdown(client, Int32(SHUT_WR))
    }
}

/// A failure starting the test server.
public struct ServerError: Error, CustomStringConvertible {
    /// What went wrong.
    public let message: String
    /// One line naming the server.
    public var description: String { "LocalHTTPServer: \(message)" }
}
