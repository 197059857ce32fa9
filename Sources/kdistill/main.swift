// kdistill: the command line. Parses arguments, runs one subcommand, and turns errors into one line on
// standard error with the exit status: 0 success, 1 runtime failure, 2 bad usage/config/data/checkpoint,
// 128+N when stopped by signal N after saving a resumable state.

import Foundation
import KDTrain

enum CLI {
    static let subcommands: [any Subcommand.Type] = [
        TrainTeacherCommand.self, DistillCommand.self, EvalCommand.self, DownloadCommand.self, ValidateCommand.self,
        ModelsCommand.self, MethodsCommand.self, SchemaCommand.self, StatusCommand.self, BenchCommand.self, ReportCommand.self,
        VizCommand.self, CalibrateBiasCommand.self, CacheCommand.self, CorruptCommand.self, TuneCommand.self,
        TuneStepCommand.self, ExportCommand.self, QuantizeCommand.self,
    ]

    static let program = Program(
        name: "kdistill", version: KDistillVersion.current,
        abstract: "knowledge distillation on the CPU: train a teacher, distill it into a student, evaluate",
        commands: subcommands.map { $0.spec },
        globalOptions: [.value("threads", "N", help: "threads for the kernels (default: all cores)")])

    static func fail(_ message: String, _ status: Int32) -> Int32 {
        FileHandle.standardError.write(Data("kdistill: \(message)\n".utf8))
        return status
    }

    /// Runs the command line; returns the exit status.
    static func main(_ arguments: [String]) -> Int32 {
        do {
            switch try program.parse(arguments) {
            case .help(let text): print(text)
            case .version(let text): print(text)
            case .run(let command, let args):
                guard let sub = subcommands.first(where: { $0.spec.name == command.name }) else {
                    return fail("no command \(command.name)", ExitCode.usage.rawValue)
                }
                try sub.run(args)
            }
            return ExitCode.success.rawValue
        } catch let error as UsageError {
            return fail("\(error.message) (\(error.hint(program: program.name)))", ExitCode.usage.rawValue)
        } catch let error as RunInterrupted {
            return fail(error.description, 128 + (Interruption.pending ?? 2))
        } catch {
            return fail("\(error)", ErrorClass.isInputError(error) ? ExitCode.usage.rawValue : ExitCode.failure.rawValue)
        }
    }
}

BLASKernels.restartWithBetterKernelsIfNeeded()
exit(CLI.main(Array(CommandLine.arguments.dropFirst())))
