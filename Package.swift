// swift-tools-version:6.0
import Foundation
import PackageDescription

/// The package's own directory, for linker inputs that live in it.
let packageDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path

let package = Package(
    name: "hookctl",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "hookctl", targets: ["hookctl"]),
        .library(name: "HookEngine", targets: ["HookEngine"]),
        // libhookengine.so: the C API of hookengine.h with the engine inside.
        .library(name: "hookengine", type: .dynamic, targets: ["HookEngineC"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-system", exact: "1.8.1"),
        .package(url: "https://github.com/swift-extras/swift-extras-base64", exact: "1.2.0"),
    ],
    targets: [
        .target(name: "CShims"),
        .target(
            name: "HookEngine",
            dependencies: [
                "CShims",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "ExtrasBase64", package: "swift-extras-base64"),
            ],
            // The bash builtin's C source sits beside the glue; the Makefile builds it.
            exclude: ["Shell/Glue/bash-builtin"],
            resources: [
                .embedInCode("Shell/Glue/hookctl.bash"),
                .embedInCode("Shell/Glue/hookctl.zsh"),
                .embedInCode("Shell/Glue/hookctl.fish"),
            ]
        ),
        .target(
            name: "HookEngineC",
            dependencies: ["HookEngine", "CShims"],
            exclude: ["exports.map"],
            linkerSettings: [
                // The soname hosts link against, and only hookengine_* exported.
                .unsafeFlags([
                    "-Xlinker", "-soname=libhookengine.so.\(0)",
                    "-Xlinker", "--version-script=\(packageDirectory)/Sources/HookEngineC/exports.map",
                ])
            ]
        ),
        .executableTarget(
            name: "hookctl",
            dependencies: [
                "HookEngine",
                "CShims",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "HookEngineTests",
            dependencies: ["HookEngine", .product(name: "ExtrasBase64", package: "swift-extras-base64")]
        ),
    ]
)
