import ArgumentParser

/// The root command; `deblur` is the default, so `deblur-video IN -o OUT` works.
struct DeblurVideo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deblur-video",
        abstract: "Remove motion blur from videos and images, streaming frames through FFmpeg.",
        discussion: """
        Run `deblur-video deblur --help` for all options, examples and exit codes.
        """,
        version: "0.1.0",
        subcommands: [Deblur.self, Eval.self, Compare.self, Serve.self, Train.self],
        defaultSubcommand: Deblur.self
    )
}
