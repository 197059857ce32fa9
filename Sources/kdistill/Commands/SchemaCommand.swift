// SchemaCommand: `kdistill schema`: the JSON Schema of experiment configs (configs/schema.json).

import KDTrain

enum SchemaCommand: Subcommand {
    static let spec = Command(
        name: "schema", abstract: "print the JSON Schema of experiment configs (as in configs/schema.json)",
        options: [], positionals: [])

    static func run(_ args: ParsedArguments) throws {
        print(ConfigSchema.jsonSchema(context: ConfigLoading.context).formatted())
    }
}
