//! The control language of the `quectel-sim` binary: one line per action,
//! typed on its standard input (`reboot`, `close 3`, `error 2 552`, ...).

use crate::fault::{Fault, Urc};

/// What a control line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ControlCommand {
    /// Inject a fault.
    Fault(Fault),
    /// Drive DTR (`true`: ON).
    Dtr(bool),
    /// Print the transcript so far.
    Transcript,
    /// Print the sockets that are not Initial.
    Sockets,
    /// Print the files.
    Files,
    /// Print the help text.
    Help,
    /// Stop the simulator.
    Quit,
}

/// The help text listing every control line.
pub const CONTROL_HELP: &str = "\
reboot                      module reboot (RDY, all state lost)
close <id>                  the peer of socket <id> closes
pdpdeact <ctx>              the network deactivates PDP context <ctx>
error <count> <code>        next <count> commands answer ERROR, QIGETERROR <code>
stall <count>               next <count> command lines get no answer
sendfail <count>            next <count> sends answer SEND FAIL
wedge on|off                every AT+QSSLOPEN answers 552
urc <count> <text>          <count> copies of the URC line <text>
midurc <after> <text>       URC <text> inside the next response after <after> lines
corrupt rx|tx <skip> <n>    flip the low bit of <n> bytes after <skip> bytes
drop rx|tx <skip> <n>       drop <n> bytes after <skip> bytes
dtr on|off                  drive DTR
transcript | sockets | files | help | quit";

fn number<T: std::str::FromStr>(word: Option<&str>, what: &str) -> Result<T, String> {
    word.ok_or_else(|| format!("missing {what}"))?
        .parse()
        .map_err(|_| format!("bad {what}"))
}

fn on_off(word: Option<&str>) -> Result<bool, String> {
    match word {
        Some("on") => Ok(true),
        Some("off") => Ok(false),
        _ => Err("expected on or off".into()),
    }
}

fn direction(word: Option<&str>) -> Result<bool, String> {
    match word {
        Some("rx") => Ok(true),
        Some("tx") => Ok(false),
        _ => Err("expected rx or tx".into()),
    }
}

/// Parses one control line.
pub fn parse_control(line: &str) -> Result<ControlCommand, String> {
    let mut words = line.split_whitespace();
    let verb = words.next().ok_or("empty line")?;
    let rest_text = |skip: usize| -> String {
        line.split_whitespace()
            .skip(skip)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let fault = match verb {
        "reboot" => Fault::Reboot,
        "close" => Fault::PeerClose {
            client: number(words.next(), "socket id")?,
        },
        "pdpdeact" => Fault::PdpDeactivate {
            ctx: number(words.next(), "context id")?,
        },
        "error" => Fault::ErrorNext {
            count: number(words.next(), "count")?,
            code: number(words.next(), "code")?,
        },
        "stall" => Fault::Stall {
            count: number(words.next(), "count")?,
        },
        "sendfail" => Fault::SendFail {
            count: number(words.next(), "count")?,
        },
        "wedge" => Fault::Wedged(on_off(words.next())?),
        "urc" => {
            let count = number(words.next(), "count")?;
            Fault::UrcBurst {
                urc: Urc::Line(rest_text(2)),
                count,
            }
        }
        "midurc" => {
            let after = number(words.next(), "line count")?;
            Fault::UrcMidResponse {
                urc: Urc::Line(rest_text(2)),
                after,
            }
        }
        "corrupt" | "drop" => {
            let rx = direction(words.next())?;
            let skip = number(words.next(), "skip")?;
            let count = number(words.next(), "count")?;
            match (verb, rx) {
                ("corrupt", true) => Fault::CorruptRx { skip, count },
                ("corrupt", false) => Fault::CorruptTx { skip, count },
                (_, true) => Fault::DropRx { skip, count },
                (_, false) => Fault::DropTx { skip, count },
            }
        }
        "dtr" => return Ok(ControlCommand::Dtr(on_off(words.next())?)),
        "transcript" => return Ok(ControlCommand::Transcript),
        "sockets" => return Ok(ControlCommand::Sockets),
        "files" => return Ok(ControlCommand::Files),
        "help" => return Ok(ControlCommand::Help),
        "quit" | "exit" => return Ok(ControlCommand::Quit),
        other => return Err(format!("unknown control command {other:?} (try help)")),
    };
    Ok(ControlCommand::Fault(fault))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_fault() {
        assert_eq!(
            parse_control("reboot"),
            Ok(ControlCommand::Fault(Fault::Reboot))
        );
        assert_eq!(
            parse_control("close 3"),
            Ok(ControlCommand::Fault(Fault::PeerClose { client: 3 }))
        );
        assert_eq!(
            parse_control("error 2 552"),
            Ok(ControlCommand::Fault(Fault::ErrorNext {
                count: 2,
                code: 552
            }))
        );
        assert_eq!(
            parse_control("urc 3 +QIND: \"csq\",20"),
            Ok(ControlCommand::Fault(Fault::UrcBurst {
                urc: Urc::Line("+QIND: \"csq\",20".into()),
                count: 3
            }))
        );
        assert_eq!(
            parse_control("drop tx 2 5"),
            Ok(ControlCommand::Fault(Fault::DropTx { skip: 2, count: 5 }))
        );
        assert_eq!(
            parse_control("wedge on"),
            Ok(ControlCommand::Fault(Fault::Wedged(true)))
        );
        assert_eq!(parse_control("dtr off"), Ok(ControlCommand::Dtr(false)));
        assert!(parse_control("close x").is_err());
        assert!(parse_control("nonsense").is_err());
    }
}
