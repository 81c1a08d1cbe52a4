// Runs the real protoc with the real protoc-gen-tavern (paths from CMake) on good and bad .proto
// files: what the plugin writes, and what it refuses and how it says so.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#if defined(_WIN32)
#include <windows.h>
#else
#include <sys/wait.h>
#endif

namespace {

namespace fs = std::filesystem;

struct ProtocRun {
    int exitCode = -1;
    std::string output;  // stdout and stderr
};

#if defined(_WIN32)
// One argument as the C runtime's argv parser (CommandLineToArgvW rules) reads it back: in
// double quotes, a quote escaped as \", and backslashes doubled only where they precede a quote
// (so "C:\dir\" does not end in an escaped quote).
std::string Quote(const std::string& text) {
    std::string quoted = "\"";
    std::size_t backslashes = 0;
    for (const char c : text) {
        if (c == '\\') {
            ++backslashes;
            continue;
        }
        quoted.append(c == '"' ? backslashes * 2 + 1 : backslashes, '\\');
        quoted += c;
        backslashes = 0;
    }
    quoted.append(backslashes * 2, '\\');
    return quoted + "\"";
}

// _popen runs `cmd.exe /c <command>`. When the command starts with a quote, cmd.exe removes
// that quote and the command's last one; wrapping the whole line in one more pair of quotes
// leaves "C:\...\protoc.exe" "arg" ... 2>&1 intact. Inside quotes cmd.exe leaves & | < > ^ ( )
// alone but still expands %VARIABLES%, and a quote inside an argument would end its quoting:
// arguments with % or " are refused rather than passed wrong.
std::string ShellCommand(const std::vector<std::string>& args, std::string& refused) {
    std::string line;
    for (const std::string& arg : args) {
        if (arg.find_first_of("%\"") != std::string::npos) refused = arg;
        line += (line.empty() ? "" : " ") + Quote(arg);
    }
    return "\"" + line + " 2>&1\"";
}

// The program's path with backslashes: cmd.exe reads a leading / as a switch.
std::string ProgramPath(const char* path) { return fs::path(path).make_preferred().string(); }

// Wine exports wine_get_version from its ntdll; Windows does not.
bool RunningUnderWine() {
    const HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    return ntdll != nullptr && GetProcAddress(ntdll, "wine_get_version") != nullptr;
}
#else
// POSIX sh: in single quotes nothing is special; a single quote is closed, escaped, reopened.
std::string Quote(const std::string& text) {
    std::string quoted = "'";
    for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

std::string ShellCommand(const std::vector<std::string>& args, std::string& /*refused*/) {
    std::string line;
    for (const std::string& arg : args) line += (line.empty() ? "" : " ") + Quote(arg);
    return line + " 2>&1";
}

std::string ProgramPath(const char* path) { return path; }
#endif

// Runs a program through popen (cmd.exe on Windows, sh elsewhere): its exit code and output.
ProtocRun RunCommand(const std::vector<std::string>& args) {
    ProtocRun run;
    std::string refused;
    const std::string command = ShellCommand(args, refused);
    if (!refused.empty()) {
        run.output = "cannot pass through cmd.exe (contains % or \"): " + refused;
        return run;
    }
#if defined(_WIN32)
    FILE* pipe = _popen(command.c_str(), "r");
#else
    FILE* pipe = popen(command.c_str(), "r");
#endif
    if (pipe == nullptr) return run;
    char chunk[512];
    while (std::fgets(chunk, sizeof chunk, pipe) != nullptr) run.output += chunk;
#if defined(_WIN32)
    run.exitCode = _pclose(pipe);  // cmd.exe's exit code: the program's
#else
    const int status = pclose(pipe);
    run.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
#endif
    return run;
}

// protoc --tavern_out=<parameter>:<outDir> -I<dir> -I<tavern options> <dir>/<files...>
ProtocRun RunPlugin(const std::string& parameter, const fs::path& outDir, const std::string& dir,
                    const std::vector<std::string>& files) {
    fs::create_directories(outDir);
    std::vector<std::string> args{ProgramPath(TAVERN_TEST_PROTOC),
                                  std::string("--plugin=protoc-gen-tavern=") + TAVERN_TEST_PLUGIN,
                                  "--tavern_out=" + parameter + ":" + outDir.string(), "-I" + dir,
                                  "-I" TAVERN_TEST_OPTIONS_DIR};
    for (const std::string& file : files) args.push_back(dir + "/" + file);
    return RunCommand(args);
}

// Every test runs the host's protoc and protoc-gen-tavern.
class GeneratorTest : public ::testing::Test {
protected:
    void SetUp() override {
#if defined(_WIN32)
        // A cross build's tests under Wine cannot run them: TAVERN_TEST_PROTOC and the plugin
        // are the build machine's Linux (ELF) programs. Wine's cmd.exe starts only files with a
        // PATHEXT extension, so _popen fails; CreateProcess does start an ELF file (Wine forks
        // and execs it) but returns no process handle, so neither its exit code nor, in our
        // tries with Wine 8, its piped output comes back. The generator is a host tool: these
        // tests run on Linux, and on Windows with a Windows protoc; the cmd.exe quoting above
        // is checked under Wine too, by GeneratorCommandTest below.
        if (RunningUnderWine())
            GTEST_SKIP() << "under Wine: the host's protoc is a Linux program, which Wine starts "
                            "without a process handle (no exit code, no output); see SetUp";
#endif
    }
};

fs::path OutDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    const fs::path dir = fs::path(::testing::TempDir()) / "tavern_generator_test" / info->name();
    fs::remove_all(dir);
    return dir;
}

ProtocRun RunBad(const std::vector<std::string>& files) {
    return RunPlugin("side=server,name=BadPackets", OutDir(), TAVERN_TEST_BAD_DIR, files);
}

std::string ReadFile(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

bool Contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// --- How it is run -------------------------------------------------------------------------

// RunCommand()'s quoting (cmd.exe's on Windows, sh's elsewhere), on a program that prints an
// argument back and needs no protoc, so it runs under Wine too: this test executable, from a
// folder whose name has spaces and shell characters, running no test with a filter full of them
// (gtest prints "Note: Google Test filter = <filter>"). The filter ends in a backslash, which
// must not escape the closing quote.
TEST(GeneratorCommandTest, PassesArgumentsWithSpacesAndShellCharactersIntact) {
    const fs::path dir = fs::path(::testing::TempDir()) / "tavern run test & (spaces) ^ 'dir'";
    fs::remove_all(dir);
    fs::create_directories(dir);
#if defined(_WIN32)
    wchar_t self[MAX_PATH];
    ASSERT_GT(GetModuleFileNameW(nullptr, self, MAX_PATH), 0u);
    const fs::path program = dir / "a copy of protocol_tests.exe";
    fs::copy_file(self, program);  // Windows programs run from where they are, not a link
#else
    const fs::path program = dir / "a link to protocol_tests";
    fs::create_symlink(fs::read_symlink("/proc/self/exe"), program);
#endif
    const std::string filter = "No Such Suite & (one) | 'two' > three ^ four;*\\";
    const ProtocRun run =
        RunCommand({program.string(), "--gtest_filter=" + filter, "--gtest_color=no"});
    fs::remove_all(dir);
    EXPECT_EQ(run.exitCode, 0) << run.output;
    EXPECT_TRUE(Contains(run.output, "Note: Google Test filter = " + filter + "\n")) << run.output;
}

// --- What it writes ------------------------------------------------------------------------

TEST_F(GeneratorTest, WritesOneHeaderAndSourceCoveringEveryFileOfTheRun) {
    const fs::path out = OutDir();
    const ProtocRun run = RunPlugin("side=server,name=Packets", out, TAVERN_TEST_PROTO_DIR,
                                    {"TestPackets.proto", "TestExtra.proto"});
    ASSERT_EQ(run.exitCode, 0) << run.output;
    const std::string header = ReadFile(out / "Packets.h");
    EXPECT_TRUE(fs::exists(out / "Packets.cc"));
    EXPECT_TRUE(Contains(header, "#include \"TestPackets.pb.h\"")) << header;
    EXPECT_TRUE(Contains(header, "#include \"TestExtra.pb.h\"")) << header;
    EXPECT_TRUE(Contains(header, "namespace TavernTest {")) << header;
    EXPECT_TRUE(Contains(header, "    C_HELLO = 1,\n")) << header;
    EXPECT_TRUE(Contains(header, "    S_NOTICE = 9,\n")) << header;
    EXPECT_TRUE(Contains(header, "    C_EXTRA = 12,\n")) << header;
    EXPECT_FALSE(Contains(header, "Item")) << "plain messages are not packets:\n" << header;
}

TEST_F(GeneratorTest, GuardsTheIdEnumByPackageSoBothSidesMix) {
    const fs::path out = OutDir();
    ASSERT_EQ(RunPlugin("side=server,name=S", out, TAVERN_TEST_PROTO_DIR,
                        {"TestPackets.proto", "TestExtra.proto"})
                  .exitCode,
              0);
    ASSERT_EQ(RunPlugin("side=client,name=C", out, TAVERN_TEST_PROTO_DIR,
                        {"TestPackets.proto", "TestExtra.proto"})
                  .exitCode,
              0);
    const std::string server = ReadFile(out / "S.h");
    const std::string client = ReadFile(out / "C.h");
    const auto Ids = [](const std::string& text) {
        const auto begin = text.find("#ifndef TAVERN_PACKET_IDS_TAVERNTEST");
        const auto end = text.find("#endif  // TAVERN_PACKET_IDS_TAVERNTEST");
        return begin == std::string::npos || end == std::string::npos
                   ? std::string()
                   : text.substr(begin, end - begin);
    };
    EXPECT_FALSE(Ids(server).empty()) << server;
    EXPECT_EQ(Ids(server), Ids(client));
}

TEST_F(GeneratorTest, DeclaresHandlersOnlyForThePacketsTheSideReceives) {
    const fs::path out = OutDir();
    ASSERT_EQ(RunPlugin("side=client,name=C", out, TAVERN_TEST_PROTO_DIR,
                        {"TestPackets.proto", "TestExtra.proto"})
                  .exitCode,
              0);
    const std::string header = ReadFile(out / "C.h");
    EXPECT_TRUE(Contains(header, "class ClientPacketHandler {")) << header;
    EXPECT_TRUE(Contains(header,
                         "tavern::HandlerResult Handle_S_HELLO(tavern::PacketSession& session, "
                         "S_HELLO& pkt);"))
        << header;
    EXPECT_FALSE(Contains(header, "Handle_C_HELLO")) << header;
    EXPECT_TRUE(Contains(header, "MakeSendBuffer(const C_HELLO& pkt)")) << header;
    EXPECT_FALSE(Contains(header, "MakeSendBuffer(const S_HELLO& pkt)")) << header;
    EXPECT_TRUE(Contains(header, "kMaxHandledId = 9;")) << header;
}

// --- What it refuses -----------------------------------------------------------------------

TEST_F(GeneratorTest, RefusesADuplicateIdAcrossTwoFilesNamingBothMessagesAndFiles) {
    const ProtocRun run = RunBad({"DuplicateA.proto", "DuplicateB.proto"});
    EXPECT_NE(run.exitCode, 0);
    EXPECT_TRUE(Contains(run.output, "DuplicateB.proto")) << run.output;
    EXPECT_TRUE(Contains(run.output, "DuplicateA.proto")) << run.output;
    EXPECT_TRUE(Contains(run.output, "C_SECOND")) << run.output;
    EXPECT_TRUE(Contains(run.output, "C_FIRST")) << run.output;
    EXPECT_TRUE(Contains(run.output, "packet_id 7")) << run.output;
}

TEST_F(GeneratorTest, RefusesAPacketMessageWithoutAnId) {
    const ProtocRun run = RunBad({"MissingId.proto"});
    EXPECT_NE(run.exitCode, 0);
    EXPECT_TRUE(Contains(run.output, "MissingId.proto: message C_NO_ID")) << run.output;
    EXPECT_TRUE(Contains(run.output, "declares no option (tavern.packet_id)")) << run.output;
}

TEST_F(GeneratorTest, RefusesAnIdOnAMessageWithoutThePrefix) {
    const ProtocRun run = RunBad({"IdWithoutPrefix.proto"});
    EXPECT_NE(run.exitCode, 0);
    EXPECT_TRUE(Contains(run.output, "IdWithoutPrefix.proto: message PlayerState")) << run.output;
    EXPECT_TRUE(Contains(run.output, "does not start with C_")) << run.output;
}

TEST_F(GeneratorTest, RefusesIdZero) {
    const ProtocRun run = RunBad({"IdZero.proto"});
    EXPECT_NE(run.exitCode, 0);
    EXPECT_TRUE(Contains(run.output, "IdZero.proto: message S_ZERO has packet_id 0")) << run.output;
}

TEST_F(GeneratorTest, RefusesAnIdAbove65535) {
    const ProtocRun run = RunBad({"IdTooLarge.proto"});
    EXPECT_NE(run.exitCode, 0);
    EXPECT_TRUE(Contains(run.output, "IdTooLarge.proto: message S_HUGE has packet_id 65536"))
        << run.output;
}

TEST_F(GeneratorTest, ReportsEveryProblemOfARunAtOnce) {
    const ProtocRun run = RunBad({"MissingId.proto", "IdZero.proto", "IdWithoutPrefix.proto"});
    EXPECT_NE(run.exitCode, 0);
    EXPECT_TRUE(Contains(run.output, "C_NO_ID")) << run.output;
    EXPECT_TRUE(Contains(run.output, "S_ZERO")) << run.output;
    EXPECT_TRUE(Contains(run.output, "PlayerState")) << run.output;
}

TEST_F(GeneratorTest, WritesNothingForARefusedRun) {
    const fs::path out = OutDir();
    RunPlugin("side=server,name=BadPackets", out, TAVERN_TEST_BAD_DIR, {"IdZero.proto"});
    EXPECT_FALSE(fs::exists(out / "BadPackets.h"));
}

TEST_F(GeneratorTest, RefusesARunWithoutASide) {
    const ProtocRun run =
        RunPlugin("name=Packets", OutDir(), TAVERN_TEST_PROTO_DIR, {"TestPackets.proto"});
    EXPECT_NE(run.exitCode, 0);
    EXPECT_TRUE(Contains(run.output, "side=server|client")) << run.output;
}

}  // namespace
