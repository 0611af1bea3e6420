import ArgumentParser
import Foundation
import Logging

// ArgumentParser answers `help NAME` for an unknown NAME with the overview and exit 0; a typo should fail.
let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.count >= 2, arguments[0] == "help",
   !DeblurVideo.configuration.subcommands.contains(where: { $0.configuration.commandName == arguments[1] }) {
    let names = DeblurVideo.configuration.subcommands.compactMap { $0.configuration.commandName }
    FileHandle.standardError.write(Data("error: no command '\(arguments[1])'; commands: \(names.joined(separator: ", "))\n".utf8))
    exit(ExitStatus.usage.rawValue)
}

// No arguments: the overview, which lists the commands, rather than "missing <input>".
if arguments.isEmpty {
    FileHandle.standardError.write(Data((DeblurVideo.helpMessage() + "\n").utf8))
    exit(ExitStatus.usage.rawValue)
}
let commandNames = DeblurVideo.configuration.subcommands.compactMap { $0.configuration.commandName }
if let first = arguments.first, let meant = CommandSuggestion.intended(first, among: commandNames) {
    FileHandle.standardError.write(Data("error: no command or file '\(first)'; did you mean '\(meant)'? (see deblur-video --help)\n".utf8))
    exit(ExitStatus.usage.rawValue)
}

// Parse and run by hand so every failure becomes one `error: …` line and a documented exit code.
do {
    var command = try DeblurVideo.parseAsRoot()
    // Once per process, after parsing: the command decides how much is logged (stderr only; stdout is for data).
    let level = (command as? ChoosesLogLevel)?.logLevel ?? .warning
    LoggingSystem.bootstrap { CLILogHandler(label: $0, level: level) }
    try command.run()
} catch let failure as CLIFailure {
    FileHandle.standardError.write(Data("error: \(failure.message)\n".utf8))
    exit(failure.status.rawValue)
} catch {
    if DeblurVideo.exitCode(for: error) == .success {
        DeblurVideo.exit(withError: error)  // --help, --version
    }
    let message = DeblurVideo.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
    // Point at the subcommand's own help, where its flags are.
    let sub = CommandLine.arguments.dropFirst().first.flatMap { name in
        DeblurVideo.configuration.subcommands.first { $0.configuration.commandName == name } }
    // No subcommand named: the default one (`deblur`) parsed the arguments, so its help has the flags.
    let name = sub?.configuration.commandName ?? DeblurVideo.configuration.defaultSubcommand?.configuration.commandName ?? ""
    let help = "deblur-video \(name) --help"
    FileHandle.standardError.write(Data("error: \(message) (see \(help))\n".utf8))
    exit(ExitStatus.usage.rawValue)
}
