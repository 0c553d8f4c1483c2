// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "hookctl",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "hookctl", targets: ["hookctl"]),
        .library(name: "HookEngine", targets: ["HookEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", exact: "0.6.0"),
    ],
    targets: [
        .target(name: "CShims"),
        .target(
            name: "HookEngine",
            dependencies: [
                "CShims",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            resources: [
                .embedInCode("Shell/Glue/hookctl.bash"),
                .embedInCode("Shell/Glue/hookctl.zsh"),
                .embedInCode("Shell/Glue/hookctl.fish"),
            ],
            linkerSettings: [
                // sqlite3 and readline (with its terminfo) come from their static
                // archives: three fewer shared libraries to load each time the
                // prompt runs `hookctl export` (about 0.5 ms, see make bench).
                .unsafeFlags(["-Xlinker", "-l:libsqlite3.a", "-Xlinker", "-l:libreadline.a", "-Xlinker", "-l:libtinfo.a"])
            ]
        ),
        .executableTarget(
            name: "hookctl",
            dependencies: [
                "HookEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "HookEngineTests", dependencies: ["HookEngine"]),
    ]
)
