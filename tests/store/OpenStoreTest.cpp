#include "store/OpenStore.h"

#include <gtest/gtest.h>

namespace tavern::store {
namespace {

// The message of the StoreError that opening `url` throws.
std::string OpenError(const std::string& url, StoreErrorKind expected) {
    try {
        OpenStore(url);
    } catch (const StoreError& e) {
        EXPECT_EQ(e.Kind(), expected) << e.what();
        return e.what();
    }
    ADD_FAILURE() << url << " opened";
    return "";
}

TEST(OpenStoreTest, AnUnopenableSqliteFileIsAOneLineError) {
    const std::string message =
        OpenError("sqlite:/nonexistent-tavern-folder/sub/x.db", StoreErrorKind::Unavailable);
    EXPECT_TRUE(
        message.starts_with("cannot open database sqlite:/nonexistent-tavern-folder/sub/x.db: "))
        << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST(OpenStoreTest, AnUnreachablePostgresqlServerIsAOneLineErrorWithoutThePassword) {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const std::string message =
        OpenError("postgresql://tavern:hunter2@127.0.0.1:1/tavern", StoreErrorKind::Unavailable);
    EXPECT_TRUE(message.starts_with(
        "cannot open database postgresql://tavern:***@127.0.0.1:1/tavern: database unavailable"))
        << message;
    EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST(OpenStoreTest, AnUnknownUrlSchemeIsRefused) {
    EXPECT_NE(OpenError("mysql://localhost/tavern", StoreErrorKind::Invalid).find("sqlite:PATH"),
              std::string::npos);
    OpenError("sqlite:", StoreErrorKind::Invalid);
}

TEST(OpenStoreTest, RedactsPasswordsInUrls) {
    EXPECT_EQ(RedactUrl("postgresql://u:pw@h/db"), "postgresql://u:***@h/db");
    EXPECT_EQ(RedactUrl("postgresql://u@h:5432/db"), "postgresql://u@h:5432/db");
    EXPECT_EQ(RedactUrl("postgresql://h/db?user=u&password=pw&sslmode=require"),
              "postgresql://h/db?user=u&password=***&sslmode=require");
    EXPECT_EQ(RedactUrl("sqlite:tavern.db"), "sqlite:tavern.db");
}

}  // namespace
}  // namespace tavern::store
