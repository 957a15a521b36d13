// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "dangjian",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "dangjian", targets: ["dangjian"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.0"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
    ],
    targets: [
        // Pure rules of DOMAIN.md: no Vapor, no Fluent, no I/O.
        .target(name: "Domain"),
        // the system's zlib, for pages kept with their gzip form (Views/KeptText.swift)
        .systemLibrary(name: "CGzip", path: "Sources/CGzip"),
        .target(
            name: "App",
            dependencies: [
                "Domain", "CGzip",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        .executableTarget(name: "dangjian", dependencies: ["App"]),
        .testTarget(name: "DomainTests", dependencies: ["Domain"]),
        .testTarget(
            name: "AppTests",
            dependencies: [
                "App", "Domain", "CGzip",
                .product(name: "VaporTesting", package: "vapor"),
            ]
        ),
    ]
)
