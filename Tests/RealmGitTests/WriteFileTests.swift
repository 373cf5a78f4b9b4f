import Testing
import TestSupport
@testable import RealmSupport
#if canImport(Glibc)
import Glibc
#endif

/// `writeFile`'s atomic write: a reader sees the old file or the new one, and no temporary name
/// is left in the folder (on Linux the bytes are written to an unnamed file first, so a writer
/// killed mid-write leaves nothing: SyncStressTests kills syncs while they write the cache).
@Suite struct WriteFileTests {
    func folder() throws -> String {
        let dir = HermeticEnvironment.processRoot + "/write-\(UInt32.random(in: 0..<UInt32.max))"
        try makeDirectories(dir)
        return dir
    }

    @Test func createsAndReplacesWithTheModeAskedAndNoTemporaryName() throws {
        let dir = try folder()
        let path = dir + "/entry"
        try writeFile(path, Array("first\n".utf8), mode: 0o600, durable: false)
        #expect(try readFile(path) == Array("first\n".utf8))
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o600)
        try writeFile(path, Array("second\n".utf8), mode: 0o644)
        #expect(try readFile(path) == Array("second\n".utf8))
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o644)
        try writeFile(path, [], mode: 0o644)
        #expect(try readFile(path) == [])
        #expect(listDirectory(dir) == ["entry"], "only the file itself: \(listDirectory(dir))")
    }

    #if os(Linux)
    @Test func onLinuxTheBytesAreWrittenUnnamed() throws {
        let dir = try folder()
        #expect(try writeUnnamedThenLink(dir + "/a", Array("x".utf8), mode: 0o644, durable: false))
        #expect(try writeUnnamedThenLink(dir + "/a", Array("y".utf8), mode: 0o644, durable: false))
        #expect(try readFile(dir + "/a") == Array("y".utf8))
        #expect(listDirectory(dir) == ["a"])
    }
    #endif

    @Test func aDirectoryInTheWayIsAnErrorAndLeavesNothing() throws {
        let dir = try folder()
        try makeDirectories(dir + "/taken")
        #expect(throws: SystemError.self) { try writeFile(dir + "/taken", Array("x".utf8)) }
        #expect(listDirectory(dir) == ["taken"], "\(listDirectory(dir))")
    }
}
