import CopydeskDaemon
import Logging
import Testing

struct JournalLogHandlerTests {
    @Test func journalLinesCarryThePriority() {
        let line = JournalLogHandler.format(
            level: .warning, label: "copydesk.pipeline", message: "bad.bin: rejected\nsecond line",
            metadata: ["copydesk.file": "bad file.bin", "copydesk.receipt": "4"], journal: true)
        #expect(line == #"<4>copydesk.pipeline: bad.bin: rejected\nsecond line copydesk.file="bad file.bin" copydesk.receipt=4"#)
    }

    @Test func terminalLinesNameTheLevel() {
        let line = JournalLogHandler.format(
            level: .info, label: "copydesk.watcher", message: "watching", metadata: [:], journal: false)
        #expect(line == "info copydesk.watcher: watching")
    }
}
