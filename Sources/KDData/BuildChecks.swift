// BuildChecks: whether KDData was compiled with Swift's runtime checks (array bounds, integer
// overflow). Its parsers read untrusted bytes, so Package.swift must never build it with -Ounchecked.

/// How KDData was compiled.
public enum KDDataBuild {
    /// False when the module was built with `-Ounchecked`, which drops bounds and overflow checks so that
    /// an out-of-range index in a parser reads memory silently instead of stopping the program.
    public static var runtimeChecks: Bool { !_isFastAssertConfiguration() }
}
