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
#define popen _popen
#define pclose _pclose
#else
#include <sys/wait.h>
#endif

namespace {

namespace fs = std::filesystem;

struct ProtocRun {
    int exitCode = -1;
    std::string output;  // stdout and stderr
};

std::string Quote(const std::string& text) {
    return "\"" + text + "\"";
}

// protoc --tavern_out=<parameter>:<outDir> -I<dir> -I<tavern options> <dir>/<files...>
ProtocRun RunPlugin(const std::string& parameter, const fs::path& outDir, const std::string& dir,
                    const std::vector<std::string>& files) {
    fs::create_directories(outDir);
    std::string command = Quote(TAVERN_TEST_PROTOC) + " " +
                          Quote(std::string("--plugin=protoc-gen-tavern=") + TAVERN_TEST_PLUGIN) +
                          " " + Quote("--tavern_out=" + parameter + ":" + outDir.string()) + " " +
                          Quote("-I" + dir) + " " + Quote("-I" TAVERN_TEST_OPTIONS_DIR);
    for (const std::string& file : files) command += " " + Quote(dir + "/" + file);
    command += " 2>&1";

    ProtocRun run;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return run;
    char chunk[512];
    while (std::fgets(chunk, sizeof chunk, pipe) != nullptr) run.output += chunk;
    const int status = pclose(pipe);
#if defined(_WIN32)
    run.exitCode = status;
#else
    run.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
#endif
    return run;
}

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

// --- What it writes ------------------------------------------------------------------------

TEST(GeneratorTest, WritesOneHeaderAndSourceCoveringEveryFileOfTheRun) {
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

TEST(GeneratorTest, GuardsTheIdEnumByPackageSoBothSidesMix) {
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

TEST(GeneratorTest, DeclaresHandlersOnlyForThePacketsTheSideReceives) {
    const fs::path out = OutDir();
    ASSERT_EQ(RunPlugin("side=client,name=C", out, TAVERN_TEST_PROTO_DIR,
                        {"TestPackets.proto", "TestExtra.proto"})
                  .exitCode,
              0);
    const std::string header = ReadFile(out / "C.h");
    EXPECT_TRUE(Contains(header, "class ClientPacketHandler {")) << header;
    EXPECT_TRUE(Contains(header,
                         "bool Handle_S_HELLO(tavern::PacketSessionRef& session, "
                         "S_HELLO& pkt);"))
        << header;
    EXPECT_FALSE(Contains(header, "Handle_C_HELLO")) << header;
    EXPECT_TRUE(Contains(header, "MakeSendBuffer(const C_HELLO& pkt)")) << header;
    EXPECT_FALSE(Contains(header, "MakeSendBuffer(const S_HELLO& pkt)")) << header;
    EXPECT_TRUE(Contains(header, "kMaxHandledId = 9;")) << header;
}

// --- What it refuses -----------------------------------------------------------------------

TEST(GeneratorTest, RefusesADuplicateIdAcrossTwoFilesNamingBothMessagesAndFiles) {
    const ProtocRun run = RunBad({"DuplicateA.proto", "DuplicateB.proto"});
    EXPECT_NE(run.exitCode, 0);
    EXPECT_TRUE(Contains(run.output, "DuplicateB.proto")) << run.output;
    EXPECT_TRUE(Contains(run.output, "DuplicateA.proto")) << run.output;
    EXPECT_TRUE(Contains(run.output, "C_SECOND")) << run.output;
    EXPECT_TRUE(Contains(run.output, "C_FIRST")) << run.output;
    EXPECT_TRUE(Contains(run.output, "packet_id 7")) << run.output;
}

TEST(GeneratorTest, RefusesAPacketMessageWithoutAnId) {
    const ProtocRun run = RunBad({"MissingId.proto"});
    EXPECT_NE(run.exitCode, 0);
    EXPECT_TRUE(Contains(run.output, "MissingId.proto: message C_NO_ID")) << run.output;
    EXPECT_TRUE(Contains(run.output, "declares no option (tavern.packet_id)")) << run.output;
}

TEST(GeneratorTest, RefusesAnIdOnAMessageWithoutThePrefix) {
    const ProtocRun run = RunBad({"IdWithoutPrefix.proto"});
    EXPECT_NE(run.exitCode, 0);
    EXPECT_TRUE(Contains(run.output, "IdWithoutPrefix.proto: message PlayerState")) << run.output;
    EXPECT_TRUE(Contains(run.output, "does not start with C_")) << run.output;
}

TEST(GeneratorTest, RefusesIdZero) {
    const ProtocRun run = RunBad({"IdZero.proto"});
    EXPECT_NE(run.exitCode, 0);
    EXPECT_TRUE(Contains(run.output, "IdZero.proto: message S_ZERO has packet_id 0")) << run.output;
}

TEST(GeneratorTest, RefusesAnIdAbove65535) {
    const ProtocRun run = RunBad({"IdTooLarge.proto"});
    EXPECT_NE(run.exitCode, 0);
    EXPECT_TRUE(Contains(run.output, "IdTooLarge.proto: message S_HUGE has packet_id 65536"))
        << run.output;
}

TEST(GeneratorTest, ReportsEveryProblemOfARunAtOnce) {
    const ProtocRun run = RunBad({"MissingId.proto", "IdZero.proto", "IdWithoutPrefix.proto"});
    EXPECT_NE(run.exitCode, 0);
    EXPECT_TRUE(Contains(run.output, "C_NO_ID")) << run.output;
    EXPECT_TRUE(Contains(run.output, "S_ZERO")) << run.output;
    EXPECT_TRUE(Contains(run.output, "PlayerState")) << run.output;
}

TEST(GeneratorTest, WritesNothingForARefusedRun) {
    const fs::path out = OutDir();
    RunPlugin("side=server,name=BadPackets", out, TAVERN_TEST_BAD_DIR, {"IdZero.proto"});
    EXPECT_FALSE(fs::exists(out / "BadPackets.h"));
}

TEST(GeneratorTest, RefusesARunWithoutASide) {
    const ProtocRun run =
        RunPlugin("name=Packets", OutDir(), TAVERN_TEST_PROTO_DIR, {"TestPackets.proto"});
    EXPECT_NE(run.exitCode, 0);
    EXPECT_TRUE(Contains(run.output, "side=server|client")) << run.output;
}

}  // namespace
