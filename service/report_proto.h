// The protobuf form of kyso's reports (proto/kyso/v1/verifier.proto). This is the only file in
// service/ that knows both the proto types and the crypto types (STYLE.md); the gRPC server and
// the `--server` client go through it.
#ifndef KYSO_SERVICE_REPORT_PROTO_H_
#define KYSO_SERVICE_REPORT_PROTO_H_

#include "crypto/report.h"
#include "kyso/v1/verifier.pb.h"

namespace kyso {

void ToProto(const DocumentReport& report, v1::DocumentResult* out);
void ToProto(const CertificateReport& report, v1::ValidateCertificateResponse* out);

// The reverse, for `kyso verify --server`, so that a report that crossed the wire prints exactly
// as one computed in process.
DocumentReport FromProto(const v1::DocumentResult& result);

v1::Indication ToProto(Indication indication);
v1::SubIndication ToProto(SubIndication sub_indication);

}  // namespace kyso

#endif  // KYSO_SERVICE_REPORT_PROTO_H_
