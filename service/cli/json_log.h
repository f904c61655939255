// The operational log of `kyso serve`: one JSON object per line (spdlog), so that a log pipeline
// indexes fields instead of parsing prose. Every line has "time" (UTC, RFC 3339, milliseconds),
// "level", "event" (a stable machine name, e.g. "listening", "reloaded", "reload_failed") and
// "message" (for people), plus the event's own fields.
//
//   JsonLog log(std::cerr);
//   log.Info("listening", "listening on 127.0.0.1:50051", {{"address", "127.0.0.1:50051"}});
//
// Audit lines (one per document) are separate: standard output, see serve_command.cc.
//
// Thread-safety: thread-safe (spdlog's _mt sink).
#ifndef KYSO_SERVICE_CLI_JSON_LOG_H_
#define KYSO_SERVICE_CLI_JSON_LOG_H_

#include <spdlog/spdlog.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

namespace kyso::cli {

class JsonLog final {
 public:
  explicit JsonLog(std::ostream& out);

  void Info(const std::string& event, const std::string& message, nlohmann::json fields = {});
  void Warn(const std::string& event, const std::string& message, nlohmann::json fields = {});
  void Error(const std::string& event, const std::string& message, nlohmann::json fields = {});

 private:
  void Write(spdlog::level::level_enum level, const std::string& event, const std::string& message,
             nlohmann::json fields);

  std::shared_ptr<spdlog::logger> logger_;
};

// The current time as the logs write it: "2026-11-22T09:32:36.123Z".
std::string LogTimestamp();

}  // namespace kyso::cli

#endif  // KYSO_SERVICE_CLI_JSON_LOG_H_
