//! One MQTT session with `rust-mqtt`, unchanged, over a socket of the
//! async stack: connect, subscribe (QoS 1), publish (QoS 1), receive our
//! own message, disconnect (shared by the MQTT example and tests).

use rust_mqtt::buffer::AllocBuffer;
use rust_mqtt::client::event::Event;
use rust_mqtt::client::options::{
    ConnectOptions, DisconnectOptions, PublicationOptions, SubscriptionOptions, TopicReference,
};
use rust_mqtt::client::Client;
use rust_mqtt::types::{MqttString, TopicFilter, TopicName};
use rust_mqtt::Bytes;

/// What the session did, for the caller to check or print.
#[derive(Debug, Default)]
pub struct Report {
    /// The message that came back on our subscription.
    pub received: Vec<u8>,
    /// The broker acknowledged our QoS 1 publication (PUBACK).
    pub acknowledged: bool,
}

/// Run the session over `socket` (any `embedded-io-async` connection),
/// publishing `message` on `topic`; `say` hears each step.
pub async fn mqtt_session<S>(
    socket: S,
    client_id: &str,
    topic: &str,
    message: &[u8],
    mut say: impl FnMut(String),
) -> Result<Report, String>
where
    S: embedded_io_async::Read + embedded_io_async::Write,
{
    let mut buffer = AllocBuffer;
    let mut client = Client::<'_, '_, _, _, 1, 1, 1, 1, 16, 0, 1>::new(&mut buffer);
    let id = MqttString::try_from(client_id).map_err(|e| format!("{e:?}"))?;
    let connected = client
        .connect(socket, &ConnectOptions::new().clean_start(), Some(id))
        .await
        .map_err(|e| format!("CONNECT: {e:?}"))?;
    say(format!(
        "connected (session present: {})",
        connected.session_present
    ));
    let name = MqttString::try_from(topic).map_err(|e| format!("{e:?}"))?;
    let filter = TopicFilter::new(name.as_borrowed()).ok_or("topic filter")?;
    client
        .subscribe(filter, &SubscriptionOptions::new().at_least_once())
        .await
        .map_err(|e| format!("SUBSCRIBE: {e:?}"))?;
    match client.poll().await.map_err(|e| format!("SUBACK: {e:?}"))? {
        Event::Suback(ack) => say(format!("subscribed to {topic} ({:?})", ack.reason_code)),
        other => return Err(format!("expected SUBACK, got {other:?}")),
    }
    let topic_name = TopicName::new(name.as_borrowed()).ok_or("topic name")?;
    let options = PublicationOptions::new(TopicReference::Name(topic_name)).at_least_once();
    let id = client
        .publish(&options, Bytes::from(message))
        .await
        .map_err(|e| format!("PUBLISH: {e:?}"))?;
    say(format!(
        "published {} bytes at QoS 1 (packet {id:?})",
        message.len()
    ));
    let mut report = Report::default();
    while report.received.is_empty() || !report.acknowledged {
        match client.poll().await.map_err(|e| format!("poll: {e:?}"))? {
            Event::PublishAcknowledged(_) => {
                report.acknowledged = true;
                say("the broker acknowledged our publication (PUBACK)".into());
            }
            Event::Publish(publish) => {
                report.received = publish.message.to_vec();
                say(format!(
                    "received {} bytes on our subscription",
                    report.received.len()
                ));
            }
            other => say(format!("event: {other:?}")),
        }
    }
    client
        .disconnect(&DisconnectOptions::new())
        .await
        .map_err(|e| format!("DISCONNECT: {e:?}"))?;
    say("disconnected".into());
    Ok(report)
}
