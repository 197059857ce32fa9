// DownloadCommand: `kdistill download <mnist|fashion-mnist|cifar10|cifar100> [--dir DIR] [--mirror URL]
// [--checksums FILE]`.

import KDTrain

enum DownloadCommand: Subcommand {
    static let spec = Command(
        name: "download", abstract: "download a dataset (MD5-checked, resumable); Debian's Fashion-MNIST is used when installed",
        usage: "kdistill download <mnist|fashion-mnist|cifar10|cifar100> [--dir DIR] [--mirror URL] [--checksums FILE]",
        options: [
            .value("dir", "DIR", help: "target directory (default: data/<dataset>)"),
            .value("mirror", "URL", help: "base URL to fetch from instead of the official one (also $KDISTILL_MIRROR)"),
            .value(
                "checksums", "FILE", help: "md5sum-format file replacing the published MD5s, for a mirror serving other files"),
        ],
        positionals: [Positional(name: "DATASET", help: "mnist, fashion-mnist, cifar10 or cifar100")])

    static func run(_ args: ParsedArguments) throws {
        print(
            try Download.run(
                dataset: args.positional("DATASET") ?? "", directory: args.string("dir"), mirror: args.string("mirror"),
                checksums: args.string("checksums")))
    }
}
