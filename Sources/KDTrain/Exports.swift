// Exports: KDTrain re-exports KDJSON, whose JSONValue is part of its public API (configs, metrics,
// summaries), so clients importing KDTrain see it without a second import.

@_exported import KDJSON
