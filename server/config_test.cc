#include "server/config.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jijian::server {
namespace {

using ::testing::HasSubstr;

// Writes text as a server.toml in a fresh folder and loads it.
absl::StatusOr<ServerConfig> Load(const std::string& text) {
  static int counter = 0;
  const std::string dir = ::testing::TempDir() + "/config-test-" + std::to_string(::getpid()) +
                          "-" + std::to_string(counter++);
  std::filesystem::create_directories(dir);
  const std::string path = ConfigPath(dir);
  std::ofstream(path) << text;
  absl::StatusOr<ServerConfig> config = LoadConfig(path);
  std::filesystem::remove_all(dir);
  return config;
}

TEST(ConfigTest, ReporterPortIsOffByDefaultWithDefaultLimits) {
  absl::StatusOr<ServerConfig> c = Load("listen = '127.0.0.1:7443'\n");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->reporter_listen.empty());
  EXPECT_EQ(c->reporter_max_message_bytes, 1 << 20);
  EXPECT_EQ(c->reporter_peer_burst, 20);
  EXPECT_DOUBLE_EQ(c->reporter_peer_per_second, 0.5);
  EXPECT_DOUBLE_EQ(c->reporter_global_per_second, 50);
}

TEST(ConfigTest, ReporterKeysAreRead) {
  absl::StatusOr<ServerConfig> c = Load(
      "reporter_listen = '0.0.0.0:7444'\nreporter_max_message_bytes = 65536\n"
      "reporter_peer_burst = 5\nreporter_peer_per_second = 2\n"
      "reporter_global_per_second = 12.5\n");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->reporter_listen, "0.0.0.0:7444");
  EXPECT_EQ(c->reporter_max_message_bytes, 65536);
  EXPECT_EQ(c->reporter_peer_burst, 5);
  EXPECT_DOUBLE_EQ(c->reporter_peer_per_second, 2);  // an integer is a number too
  EXPECT_DOUBLE_EQ(c->reporter_global_per_second, 12.5);
  // Empty means off, unlike the other address keys.
  c = Load("reporter_listen = ''\n");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->reporter_listen.empty());
}

TEST(ConfigTest, BadReporterValuesNameTheKeyAndTheRule) {
  for (const auto& [text, key, rule] :
       {std::tuple<std::string, std::string, std::string>{"reporter_listen = 7444\n",
                                                          "reporter_listen", "string"},
        {"reporter_max_message_bytes = 10\n", "reporter_max_message_bytes", "from 4096"},
        {"reporter_peer_burst = 0\n", "reporter_peer_burst", "from 1"},
        {"reporter_peer_per_second = 0\n", "reporter_peer_per_second", "above 0"},
        {"reporter_global_per_second = -1.5\n", "reporter_global_per_second", "above 0"},
        {"reporter_peer_per_second = 'fast'\n", "reporter_peer_per_second", "number"}}) {
    absl::StatusOr<ServerConfig> c = Load(text);
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(std::string(c.status().message()), HasSubstr("\"" + key + "\"")) << text;
    EXPECT_THAT(std::string(c.status().message()), HasSubstr(rule)) << text;
  }
}

TEST(ConfigTest, WrittenReporterKeysReadBack) {
  ServerConfig c = DefaultConfig("", "127.0.0.1:7443", "127.0.0.1:7444");
  c.reporter_peer_per_second = 1.25;
  const std::string dir = ::testing::TempDir() + "/config-write-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(WriteConfig(c, ConfigPath(dir)).ok());
  absl::StatusOr<ServerConfig> back = LoadConfig(ConfigPath(dir));
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->reporter_listen, "127.0.0.1:7444");
  EXPECT_EQ(back->reporter_cert_path, dir + "/pki/reporter.crt");
  EXPECT_EQ(back->reporter_key_path, dir + "/pki/reporter.key");
  EXPECT_DOUBLE_EQ(back->reporter_peer_per_second, 1.25);
}

TEST(ConfigTest, ThePortalsCertificateAndKeyAreSetTogether) {
  absl::StatusOr<ServerConfig> c =
      Load("reporter_listen = '0.0.0.0:7444'\nreporter_cert = 'pki/portal.crt'\n"
           "reporter_key = '/etc/jijian/portal.key'\n");
  ASSERT_TRUE(c.ok()) << c.status();
  // Relative to the file's folder, like every path in it; absolute ones as given.
  EXPECT_EQ(std::filesystem::path(c->reporter_cert_path).filename(), "portal.crt");
  EXPECT_TRUE(std::filesystem::path(c->reporter_cert_path).is_absolute());
  EXPECT_EQ(c->reporter_key_path, "/etc/jijian/portal.key");
  for (const auto& [text, missing] :
       {std::pair<std::string, std::string>{"reporter_cert = 'pki/portal.crt'\n", "reporter_key"},
        {"reporter_key = 'pki/portal.key'\n", "reporter_cert"}}) {
    c = Load(text);
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(c.status().message()), HasSubstr("\"" + missing + "\" is missing"));
    EXPECT_THAT(std::string(c.status().message()), HasSubstr("set together"));
  }
  // Written by init for a deployment with a reporter port, and read back.
  const ServerConfig d = DefaultConfig("", "127.0.0.1:7443", "127.0.0.1:7444");
  EXPECT_EQ(d.reporter_cert_path, "pki/reporter.crt");
  EXPECT_EQ(d.reporter_key_path, "pki/reporter.key");
  EXPECT_TRUE(DefaultConfig("", "127.0.0.1:7443").reporter_cert_path.empty());
}

}  // namespace
}  // namespace jijian::server
