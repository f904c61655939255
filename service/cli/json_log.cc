#include "service/cli/json_log.h"

#include <spdlog/sinks/ostream_sink.h>

#include <utility>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace kyso::cli {

std::string LogTimestamp() {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
}

JsonLog::JsonLog(std::ostream& out) {
  // Flushed per line: the log is how tests and operators see the server's state change.
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out, /*force_flush=*/true);
  logger_ = std::make_shared<spdlog::logger>("kyso", std::move(sink));
  logger_->set_pattern("%v");
  logger_->set_level(spdlog::level::info);
}

void JsonLog::Info(const std::string& event, const std::string& message, nlohmann::json fields) {
  Write(spdlog::level::info, event, message, std::move(fields));
}

void JsonLog::Warn(const std::string& event, const std::string& message, nlohmann::json fields) {
  Write(spdlog::level::warn, event, message, std::move(fields));
}

void JsonLog::Error(const std::string& event, const std::string& message, nlohmann::json fields) {
  Write(spdlog::level::err, event, message, std::move(fields));
}

void JsonLog::Write(spdlog::level::level_enum level, const std::string& event,
                    const std::string& message, nlohmann::json fields) {
  nlohmann::ordered_json line = {
      {"time", LogTimestamp()},
      {"level", std::string(spdlog::level::to_string_view(level).data(),
                            spdlog::level::to_string_view(level).size())},
      {"event", event},
      {"message", message}};
  if (fields.is_object()) {
    for (auto& [key, value] : fields.items()) line[key] = std::move(value);
  }
  // Replacement, not an exception, for invalid UTF-8 in a message (a path, a peer name).
  logger_->log(level, line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace kyso::cli
