// HTTPFetcher: one HTTP(S) GET streamed into a `.part` file through URLSession, resuming with
// `Range: bytes=N-` from the file's current size; a 200 answer restarts the file from zero.

import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A single synchronous transfer. Create, call `run()`, read the outcome. State is touched only by the
/// serial delegate queue and, after the completion signal, by `run()`: hence `@unchecked Sendable`.
final class HTTPFetcher: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    /// How a transfer ended when it did not throw.
    enum Outcome: Equatable {
        /// The whole body arrived; the part file now holds `bytes` bytes.
        case complete(bytes: Int64)
        /// The server refused the range (416): the part may already be complete.
        case rangeNotSatisfiable
        /// The server answered a different range than asked: restart from zero.
        case restart
    }

    private let url: URL
    private let urlText: String
    private let partPath: String
    private let progress: ProgressReporter?
    private let label: String
    private var resumeFrom: Int64
    private var file: UnsafeMutablePointer<FILE>?
    private var received: Int64 = 0
    private var expectedTotal: Int64?
    private var outcome: Outcome?
    private var failure: DataError?
    private var began = false
    private let done = DispatchSemaphore(value: 0)

    init(url: URL, partPath: String, resumeFrom: Int64, label: String, progress: ProgressReporter?) {
        self.url = url
        urlText = url.absoluteString
        self.partPath = partPath
        self.resumeFrom = resumeFrom
        self.label = label
        self.progress = progress
    }

    /// Performs the transfer; throws a DataError naming the URL on network or HTTP failure.
    func run(timeout: TimeInterval = 60) throws -> Outcome {
        var request = URLRequest(url: url)
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        if resumeFrom > 0 { request.setValue("bytes=\(resumeFrom)-", forHTTPHeaderField: "Range") }
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = timeout
        config.requestCachePolicy = .reloadIgnoringLocalCacheData
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: config, delegate: self, delegateQueue: queue)
        session.dataTask(with: request).resume()
        done.wait()
        session.finishTasksAndInvalidate()
        if let f = file { fclose(f); file = nil }
        if began { progress?.end() }
        if let failure { throw failure }
        return outcome ?? .complete(bytes: resumeFrom + received)
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let length = response.expectedContentLength
        switch status {
        case 206 where resumeFrom > 0:
            let range = (response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Range") ?? ""
            guard let (first, total) = Self.parseContentRange(range), first == resumeFrom else {
                outcome = .restart
                return completionHandler(.cancel)
            }
            expectedTotal = total ?? (length >= 0 ? resumeFrom + length : nil)
            file = fopen(partPath, "ab")
        case 200:
            resumeFrom = 0
            expectedTotal = length >= 0 ? length : nil
            file = fopen(partPath, "wb")
        case 416 where resumeFrom > 0:
            outcome = .rangeNotSatisfiable
            return completionHandler(.cancel)
        default:
            failure = DataError(file: urlText, expected: "HTTP 200", found: "HTTP \(status)")
            return completionHandler(.cancel)
        }
        guard file != nil else {
            failure = DataError(file: partPath, expected: "a writable file", found: String(cString: strerror(errno)))
            return completionHandler(.cancel)
        }
        began = true
        progress?.begin(label, total: expectedTotal, already: resumeFrom)
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard let f = file, failure == nil else { return }
        let ok = data.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) == $0.count }
        guard ok else {
            failure = DataError(file: partPath, expected: "\(data.count) bytes written", found: String(cString: strerror(errno)))
            dataTask.cancel()
            return
        }
        received += Int64(data.count)
        progress?.advance(to: resumeFrom + received)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        defer { done.signal() }
        if failure != nil || outcome != nil { return }
        let have = resumeFrom + received
        if let error {
            let reason = Self.describe(error)
            failure =
                received == 0 && !began
                ? DataError(file: urlText, expected: "a reachable server", found: reason)
                : DataError(
                    file: urlText, expected: "a complete download",
                    found: "\(reason) after \(have) bytes (kept in \(partPath); run again to resume)")
        } else if let total = expectedTotal, have != total {
            failure = DataError(
                file: urlText, expected: "\(total) bytes",
                found: "\(have) (kept in \(partPath); run again to resume)")
        }
    }

    /// `bytes a-b/total` → (a, total); total nil when `*`.
    static func parseContentRange(_ text: String) -> (Int64, Int64?)? {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard t.hasPrefix("bytes ") else { return nil }
        let spec = t.dropFirst(6).split(separator: "/")
        guard spec.count == 2, let dash = spec[0].firstIndex(of: "-"), let first = Int64(spec[0][..<dash]) else { return nil }
        return (first, Int64(spec[1]))
    }

    /// A short reason for a URLSession error.
    static func describe(_ error: Error) -> String {
        let ns = error as NSError
        guard ns.domain == NSURLErrorDomain else { return ns.localizedDescription }
        switch ns.code {
        case NSURLErrorCannotConnectToHost: return "connection refused (offline or server down)"
        case NSURLErrorNotConnectedToInternet: return "no network connection (offline)"
        case NSURLErrorCannotFindHost, NSURLErrorDNSLookupFailed: return "host not found (offline or no DNS)"
        case NSURLErrorTimedOut: return "timed out"
        case NSURLErrorNetworkConnectionLost: return "connection lost"
        default: return "network error \(ns.code): \(ns.localizedDescription)"
        }
    }
}
