// Executable: the running kdistill binary's absolute path, for the child processes it starts (bench's
// isolated workloads, tune's -j N and Slurm workers).

import Foundation

enum Executable {
    /// Absolute path of this binary.
    static var path: String {
        let raw = Bundle.main.executablePath ?? CommandLine.arguments[0]
        let url = URL(fileURLWithPath: raw, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        return url.standardizedFileURL.resolvingSymlinksInPath().path
    }
}
