// The prompt path (`hookctl export SHELL`) skips ArgumentParser: its
// start-up scans every protocol conformance in the binary, which costs more
// than the whole export (see `make bench`).
let arguments = CommandLine.arguments
if arguments.count == 3 && arguments[1] == "export" {
    ExportCommand.exitFast(shell: arguments[2])
}
Hookctl.main(arguments: Array(arguments.dropFirst()))
