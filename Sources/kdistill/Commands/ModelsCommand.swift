// ModelsCommand: `kdistill models [--input CxHxW] [--classes K]`: the zoo with parameter counts and FLOPs.

import KDTrain

enum ModelsCommand: Subcommand {
    static let spec = Command(
        name: "models", abstract: "list the model zoo with parameter counts and FLOPs for an input",
        usage: "kdistill models [--input 3x32x32] [--classes 10] [--model NAME]...",
        options: [
            .value("input", "CxHxW", default: "3x32x32", help: "input shape"),
            .value("classes", "K", default: "10", help: "number of classes"),
            .repeated("model", "NAME", help: "also list this model (e.g. mlp-512-256, wrn-28-10)"),
        ],
        positionals: [])

    static func run(_ args: ParsedArguments) throws {
        let text = args.string("input") ?? "3x32x32"
        let dims = text.split(separator: "x").compactMap { Int($0) }
        guard dims.count == 3, dims.allSatisfy({ $0 > 0 }) else {
            throw UsageError(message: "--input: expected CxHxW such as 3x32x32, found '\(text)'", command: "models")
        }
        print(
            try Catalogs.modelsText(
                inputShape: dims, classes: try args.int("classes", min: 2) ?? 10, extra: args.strings("model")))
    }
}
