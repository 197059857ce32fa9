// MethodsCommand: `kdistill methods`: every distillation method with its parameters and defaults.

import KDTrain

enum MethodsCommand: Subcommand {
    static let spec = Command(
        name: "methods", abstract: "list the distillation methods with their parameters and defaults",
        options: [], positionals: [])

    static func run(_ args: ParsedArguments) throws { print(Catalogs.methodsText()) }
}
