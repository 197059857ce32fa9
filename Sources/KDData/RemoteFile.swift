// RemoteFile: what `kdistill download` fetches for each dataset: official base URLs, file names
// and the MD5 of each published file (docs/formats.md). Tests inject their own list and mirror.

import Foundation

/// One file to download: saved as `name`, fetched from `path` (relative to the base URL, or a full URL).
public struct RemoteFile: Codable, Equatable, Sendable {
    /// File name under the download directory.
    public var name: String
    /// Path relative to the base URL, or an absolute `http(s)://` URL.
    public var path: String
    /// Expected MD5 of the file, 32 hex digits.
    public var md5: String

    /// A file fetched from `path` (default: `name`) with checksum `md5`.
    public init(name: String, path: String? = nil, md5: String) {
        self.name = name
        self.path = path ?? name
        self.md5 = md5.lowercased()
    }

    /// True for a `.tar.gz`/`.tgz` archive that is extracted after download.
    public var isArchive: Bool { name.hasSuffix(".tar.gz") || name.hasSuffix(".tgz") }

    /// The URL of this file given a base URL.
    public func url(base: String) -> String {
        if path.contains("://") { return path }
        return base.hasSuffix("/") ? base + path : base + "/" + path
    }
}

extension DatasetName {
    /// Where the published files live.
    public var officialBaseURL: String {
        switch self {
        case .mnist: return "https://ossci-datasets.s3.amazonaws.com/mnist/"
        case .fashionMNIST: return "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
        case .cifar10, .cifar100: return "https://www.cs.toronto.edu/~kriz/"
        }
    }

    /// The published files with their MD5 checksums.
    public var officialManifest: [RemoteFile] {
        switch self {
        case .mnist:
            return [
                RemoteFile(name: "train-images-idx3-ubyte.gz", md5: "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
                RemoteFile(name: "train-labels-idx1-ubyte.gz", md5: "d53e105ee54ea40749a09fcbcd1e9432"),
                RemoteFile(name: "t10k-images-idx3-ubyte.gz", md5: "9fb629c4189551a2d022fa330f9573f3"),
                RemoteFile(name: "t10k-labels-idx1-ubyte.gz", md5: "ec29112dd5afa0611ce80d1b7f02629c"),
            ]
        case .fashionMNIST:
            return [
                RemoteFile(name: "train-images-idx3-ubyte.gz", md5: "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
                RemoteFile(name: "train-labels-idx1-ubyte.gz", md5: "25c81989df183df01b3e8a0aad5dffbe"),
                RemoteFile(name: "t10k-images-idx3-ubyte.gz", md5: "bef4ecab320f06d8554ea6380940ec79"),
                RemoteFile(name: "t10k-labels-idx1-ubyte.gz", md5: "bb300cfdad3c16e7a12a480ee83cd310"),
            ]
        case .cifar10:
            return [RemoteFile(name: "cifar-10-binary.tar.gz", md5: "c32a1d4ab5d03f1284b67883e8d87530")]
        case .cifar100:
            return [RemoteFile(name: "cifar-100-binary.tar.gz", md5: "03b5dce01913d631647c71ecec9e9cb8")]
        }
    }
}
