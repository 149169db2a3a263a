//! The scheduler's errors as gRPC statuses, shared by every gRPC handler file.

use tonic::Status;
use tonic::metadata::MetadataValue;

use crate::server::task::{
    ErrorKind, FINISHED_AT_KEY, REASON_DRAINING, REASON_EXPIRED, REASON_KEY, SchedError,
};

pub fn status_of(e: SchedError) -> Status {
    match e.kind {
        ErrorKind::InvalidArgument => Status::invalid_argument(e.message),
        ErrorKind::AlreadyExists => Status::already_exists(e.message),
        ErrorKind::NotFound => {
            let mut status = Status::not_found(e.message);
            if let Some(at) = e.expired_at_ms {
                let md = status.metadata_mut();
                md.insert(REASON_KEY, MetadataValue::from_static(REASON_EXPIRED));
                md.insert(FINISHED_AT_KEY, MetadataValue::from(at));
            }
            status
        }
        ErrorKind::FailedPrecondition => Status::failed_precondition(e.message),
        ErrorKind::Draining => draining(e.message),
        ErrorKind::ResourceExhausted => Status::resource_exhausted(e.message),
        ErrorKind::Internal => Status::internal(e.message),
    }
}

/// UNAVAILABLE because the server drains, said in metadata (`dspy-agent-reason: draining`) so
/// that clients tell it from a server that is gone without reading the message.
pub fn draining(message: impl Into<String>) -> Status {
    let mut status = Status::unavailable(message);
    status
        .metadata_mut()
        .insert(REASON_KEY, MetadataValue::from_static(REASON_DRAINING));
    status
}
