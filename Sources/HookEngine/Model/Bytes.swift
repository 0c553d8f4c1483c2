/// Raw bytes; environment values are bytes, not necessarily UTF-8.
public typealias Bytes = [UInt8]

/// Environment variables as name → bytes.
public typealias EnvironmentMap = [String: Bytes]
