// A grpc.health.v1 client for tests, as a load balancer or `grpc_health_probe` would ask.
#ifndef KYSO_TESTS_SUPPORT_HEALTH_PROBE_H_
#define KYSO_TESTS_SUPPORT_HEALTH_PROBE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace kyso::testing {

// HealthCheckResponse.ServingStatus values.
inline constexpr int kServing = 1;
inline constexpr int kNotServing = 2;

// grpc.health.v1.Health/Check for `service` ("" = the server as a whole) over a plaintext channel
// to `address`: the status it answers, or the RPC's error.
absl::StatusOr<int> CheckHealth(const std::string& address, const std::string& service = "",
                                absl::Duration timeout = absl::Seconds(5));

}  // namespace kyso::testing

#endif  // KYSO_TESTS_SUPPORT_HEALTH_PROBE_H_
