// The one place where an absl::Status becomes a grpc::Status.
#ifndef JIJIAN_SERVER_GRPC_STATUS_H_
#define JIJIAN_SERVER_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace jijian::server {

// Same code, same message.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace jijian::server

#endif  // JIJIAN_SERVER_GRPC_STATUS_H_
