//! Files on the module: `AT+QFUPL`, `AT+QFDEL`, `AT+QFLST` (vendor's FILE
//! application note). Certificates and keys are uploaded here, then named in
//! `AT+QSSLCFG`.

mod checksum;

use super::ssl_config::types::wire_enum;
use super::{answers_ok, atat_command, single_line, AtCommand, ListCommand, NoResponse};
use crate::digest::Expect;
use crate::error::{Error, ParamError};
use crate::types::{FileName, FilePattern};
use crate::wire::Encoder;
use crate::wire::{owned, parse_hex_u16, Fields};
pub use checksum::{checksum, Checksum};

mod tests;

wire_enum! {
    /// `<ackmode>` of `AT+QFUPL`: whether the module acknowledges the data
    /// block by block.
    AckMode: "ackmode" {
        /// 0: no acknowledgement: the data goes in one piece.
        Off = 0,
        /// 1: the module answers `A` after each 1024-byte block, and the
        /// next block waits for it.
        PerBlock = 1,
    }
}

/// `AT+QFUPL="<filename>",<file_size>[,<timeout>[,<ackmode>]]` — start an
/// upload. The module answers `CONNECT`, then takes exactly `size` bytes as
/// [`FileData`] (in ACK mode: 1024 bytes at a time, each answered by `A`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadFile<'a> {
    /// Destination, e.g. `RAM:cacert.pem`.
    pub name: FileName<'a>,
    size: u32,
    /// `<timeout>` in seconds for the data to arrive (module default 5).
    pub timeout: Option<u16>,
    /// `<ackmode>`: [`AckMode::PerBlock`] has the module acknowledge each
    /// 1024 bytes with `A` (written only then: `Off` is the module's
    /// default).
    pub ack: AckMode,
}

impl<'a> UploadFile<'a> {
    /// Bytes per acknowledgement in ACK mode.
    pub const ACK_BLOCK: usize = 1024;
    /// Timeout the module uses when none is given (s).
    pub const DEFAULT_TIMEOUT_S: u16 = 5;

    /// Upload `size` bytes (at least 1) to `name`.
    pub fn new(
        name: FileName<'a>,
        size: u32,
        timeout: Option<u16>,
        ack: AckMode,
    ) -> Result<Self, Error> {
        if size == 0 {
            return Err(Error::param("file_size", ParamError::OutOfRange));
        }
        Ok(Self {
            name,
            size,
            timeout,
            ack,
        })
    }

    /// `<file_size>`
    pub const fn size(&self) -> u32 {
        self.size
    }
}

impl AtCommand for UploadFile<'_> {
    answers_ok!();
    fn expectation(&self) -> Expect {
        Expect::Upload {
            ack: self.ack == AckMode::PerBlock,
        }
    }
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT+QFUPL=")
            .quoted(self.name.as_str())
            .comma()
            .uint(self.size);
        let ack = self.ack == AckMode::PerBlock;
        if self.timeout.is_some() || ack {
            let timeout = self.timeout.unwrap_or(Self::DEFAULT_TIMEOUT_S);
            e.comma().uint(timeout.into());
        }
        if ack {
            e.comma().uint(self.ack.code().into());
        }
    }
}
atat_command!(['a] UploadFile<'a>);

/// Upload data written after `AT+QFUPL`'s `CONNECT`: the whole file, or (in
/// ACK mode) one block of 1024 bytes and the rest at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileData<'a> {
    /// The bytes of this block.
    pub data: &'a [u8],
}

/// What the module answers to a block of upload data.
///
/// Exhaustive: the manual's two answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum UploadStatus {
    /// `A`: the block was taken, send the next one (ACK mode).
    Acknowledged,
    /// `+QFUPL: <upload_size>,<checksum>` then `OK`: the file is stored.
    Complete(Uploaded),
}

impl atat::AtatResp for UploadStatus {}

/// `+QFUPL: <upload_size>,<checksum>`: what the module stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Uploaded {
    /// Bytes stored.
    pub size: u32,
    /// The module's 16-bit XOR checksum (see [`checksum()`]).
    pub checksum: u16,
}

impl Uploaded {
    pub(crate) fn parse(mut f: Fields<'_>) -> Result<Self, Error> {
        let size = f.u32()?;
        // Lower-case hex, no `0x`, not zero-padded (`f5f`, `57`).
        let checksum = parse_hex_u16(f.string()?).ok_or(Error::UnexpectedResponse)?;
        Ok(Self { size, checksum })
    }
}

impl AtCommand for FileData<'_> {
    type Response = UploadStatus;
    type Partial = Option<Uploaded>;
    const DATA_PHASE: bool = true;
    const ENDS_AT_PROMPT: bool = true;
    fn encode(&self, e: &mut Encoder<'_>) {
        e.bytes(self.data);
    }
    fn line(&self, partial: &mut Self::Partial, line: &[u8]) -> Result<(), Error> {
        single_line(partial, line, b"+QFUPL:", Uploaded::parse)
    }
    fn finish(&self, partial: Self::Partial) -> Result<UploadStatus, Error> {
        Ok(partial.map_or(UploadStatus::Acknowledged, UploadStatus::Complete))
    }
}
atat_command!(['a] FileData<'a>);

/// `AT+QFDEL="<filename>"` — delete one file.
///
/// The module takes a pattern here too (`AT+QFDEL="*"` deletes every file);
/// a [`FileName`] cannot hold one, so this deletes only the file named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeleteFile<'a> {
    /// The file.
    pub name: FileName<'a>,
}

impl AtCommand for DeleteFile<'_> {
    answers_ok!();
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT+QFDEL=").quoted(self.name.as_str());
    }
}
atat_command!(['a] DeleteFile<'a>);

/// `AT+QFLST="RAM:sync-<16 hex digits>"` — list a file nobody made, under
/// a name the engine chose: harmless (it lists nothing), and with echo on,
/// its echoed line is one that only the module can send (a remote peer,
/// whose bytes may be misread as lines after a framing error, never sees
/// the serial line and cannot guess the name). The engine's resync waits
/// for exactly that echo (see `ops::Resync`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncProbe {
    /// The name's 64 bits, written as 16 hex digits.
    pub nonce: u64,
}

impl AtCommand for SyncProbe {
    type Response = NoResponse;
    type Partial = ();
    fn encode(&self, e: &mut Encoder<'_>) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut digits = [0u8; 16];
        for (i, d) in digits.iter_mut().enumerate() {
            *d = HEX[((self.nonce >> (60 - 4 * i)) & 0xF) as usize];
        }
        e.text("AT+QFLST=\"RAM:sync-").bytes(&digits).text("\"");
    }
    /// No file of that name exists; a module that lists one anyway is
    /// answered all the same.
    fn line(&self, _: &mut (), _: &[u8]) -> Result<(), Error> {
        Ok(())
    }
    fn finish(&self, _: ()) -> Result<NoResponse, Error> {
        Ok(NoResponse)
    }
}
atat_command!([] SyncProbe);

/// `AT+QFLST="<pattern>"` — list files, e.g. `*` (UFS) or `RAM:*`.
///
/// Keeps the first `N` entries; [`FileList::truncated`] says if there were more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListFiles<'a, const N: usize = 8> {
    /// Pattern to list.
    pub pattern: FilePattern<'a>,
}

/// One `+QFLST: "<filename>",<file_size>` line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FileEntry {
    /// Name as printed (UFS names appear with or without `UFS:`).
    pub name: heapless::String<80>,
    /// Size in bytes.
    pub size: u32,
}

impl FileEntry {
    /// Read `"<filename>",<file_size>` after `+QFLST:`.
    pub(crate) fn parse(mut f: Fields<'_>) -> Result<Self, Error> {
        Ok(Self {
            name: owned(f.string()?)?,
            size: f.u32()?,
        })
    }

    /// `true` if this entry is `name`, ignoring a `UFS:` prefix on either.
    pub fn is(&self, name: &str) -> bool {
        fn strip(n: &str) -> &str {
            n.strip_prefix("UFS:").unwrap_or(n)
        }
        strip(&self.name) == strip(name)
    }
}

/// The answer of [`ListFiles`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FileList<const N: usize> {
    /// The first `N` files.
    pub entries: heapless::Vec<FileEntry, N>,
    /// More files were listed than `N`.
    pub truncated: bool,
}

impl<const N: usize> atat::AtatResp for FileList<N> {}

impl<const N: usize> AtCommand for ListFiles<'_, N> {
    type Response = FileList<N>;
    type Partial = FileList<N>;
    fn encode(&self, e: &mut Encoder<'_>) {
        e.text("AT+QFLST=").quoted(self.pattern.as_str());
    }
    fn line(&self, partial: &mut Self::Partial, line: &[u8]) -> Result<(), Error> {
        if let Some(fields) = Fields::after(line, b"+QFLST:") {
            let entry = FileEntry::parse(fields)?;
            if partial.entries.push(entry).is_err() {
                partial.truncated = true;
            }
        }
        Ok(())
    }
    fn finish(&self, partial: Self::Partial) -> Result<Self::Response, Error> {
        Ok(partial)
    }
}
atat_command!(['a, const N: usize] ListFiles<'a, N>);

impl<const N: usize> ListCommand for ListFiles<'_, N> {
    type Item = FileEntry;
    const PREFIX: &'static [u8] = b"+QFLST:";
    fn item(fields: Fields<'_>) -> Result<FileEntry, Error> {
        FileEntry::parse(fields)
    }
}
