//! The cap on open server streams (StreamEvents, StreamTaskResults, StreamHealth, StreamLogs),
//! shared by both gRPC services: one more than `grpc.max_streams` gets RESOURCE_EXHAUSTED. A
//! stream holds its place until the response is dropped (the client left or it ended).

use std::pin::Pin;
use std::sync::Arc;

use futures_util::{Stream, StreamExt};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tonic::Status;

pub type CappedStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

pub struct StreamCap {
    places: Arc<Semaphore>,
    cap: usize,
}

/// A place among the open streams.
pub struct Place(#[allow(dead_code)] OwnedSemaphorePermit);

impl StreamCap {
    pub fn new(cap: usize) -> StreamCap {
        StreamCap {
            places: Arc::new(Semaphore::new(cap)),
            cap,
        }
    }

    /// A place for one more stream, or RESOURCE_EXHAUSTED naming the setting.
    pub fn admit(&self) -> Result<Place, Status> {
        self.places
            .clone()
            .try_acquire_owned()
            .map(Place)
            .map_err(|_| {
                Status::resource_exhausted(format!(
                    "too many open streams (grpc.max_streams is {}); close one or raise the setting",
                    self.cap
                ))
            })
    }

    /// Streams open now.
    pub fn open(&self) -> usize {
        self.cap - self.places.available_permits()
    }
}

/// `stream`, holding `place` for as long as it lives.
pub fn hold<T, S>(place: Place, stream: S) -> CappedStream<T>
where
    S: Stream<Item = Result<T, Status>> + Send + 'static,
    T: 'static,
{
    Box::pin(stream.map(move |item| {
        let _held = &place;
        item
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_past_the_cap_is_refused_until_a_stream_is_dropped() {
        let cap = StreamCap::new(2);
        let a = hold(
            cap.admit().unwrap(),
            futures_util::stream::empty::<Result<(), Status>>(),
        );
        let _b = cap.admit().unwrap();
        let refused = cap.admit().err().unwrap();
        assert_eq!(refused.code(), tonic::Code::ResourceExhausted);
        assert!(refused.message().contains("grpc.max_streams is 2"));
        assert_eq!(cap.open(), 2);
        drop(a);
        assert!(cap.admit().is_ok());
    }
}
