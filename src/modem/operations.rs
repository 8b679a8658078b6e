//! The one list of the module-wide operations, from which every face
//! makes its methods.
//!
//! Each face ([`Modem`](crate::Modem), the async `asynch::Modem` and
//! `asynch::Control`) runs operations its own way: the blocking face polls
//! the port, the single-owner async face awaits it, the stack's control
//! handle asks the runner. What an operation *is* — its name, arguments,
//! answer, docs and the [`ops`](super::ops) object it runs — is written
//! once, here. A face passes the name of a macro that turns one entry into
//! one method of its own shape; the list is handed to it whole. So an
//! operation cannot be added to one face and forgotten on another, and
//! every face names the same operations in `OPERATIONS` (the tests
//! compare them).
//!
//! Why a `macro_rules!` list rather than `bisync`-style generation from the
//! blocking code, or a trait with default methods: the faces differ only
//! in how they run an [`Op`](super::ops::Op) (`self.run(&mut op)`, the same
//! `.await`ed, or `run(engine, slot, &mut op).await`), which a callback
//! macro expresses in three lines per face with no procedural macro
//! dependency; a trait cannot have both `fn` and `async fn` forms of one
//! method.
//!
//! A second list holds one socket's operations by handle
//! ([`SOCKET_OPERATIONS`]: open, write, read, close, state, access mode,
//! raw reads and writes) for the two single-owner faces; on the stack they
//! are the methods and traits of the socket object itself
//! (`asynch::TlsSocket`, feature `async`), which holds its handle and
//! chooses raw or framed reads by the port's mode. Leaving and resuming
//! transparent mode stay face-shaped on purpose: the blocking face hands
//! back a [`Transparent`](crate::modem::Transparent) guard that owns the
//! port until it leaves; the async faces, which cannot hold such a borrow
//! across tasks, take the handle.
//!
//! Entry form: `/// docs` then
//! `name [generics] (args) -> Answer = |config| op_expression => map;`
//! where `config` is the face's [`Config`](super::Config), and the optional
//! `map` turns the operation's output into the answer.

/// Hand the list of module-wide operations to the macro `$face`.
macro_rules! module_operations {
    ($face:ident) => {
        $face! { OPERATIONS;
            /// Bring the module to a known state (see [`ops::Init`]): at
            /// start and after [`Error::ModuleReset`].
            init() -> ops::InitReport = |config| ops::Init::with_guard(config.guard_ms);

            /// Handle what the module sent on its own (URCs, pushed data);
            /// done once a round of I/O brings nothing more.
            poll() -> () = |_config| ops::Idle::default();

            /// `AT+QICSGP`: configure a PDP context.
            configure_pdp(config: ConfigurePdpContext<'_>) -> ()
                = |_config| ops::Command::new(config) => drop;

            /// `AT+QIACT`: activate a PDP context (up to 150 s).
            activate_pdp(context: PdpContextId) -> ()
                = |_config| ops::ActivatePdp::new(context);

            /// `AT+QIDEACT`: deactivate a PDP context; its sockets close.
            deactivate_pdp(context: PdpContextId) -> ()
                = |_config| ops::DeactivatePdp::new(context);

            /// `AT+QIACT?`: the active PDP contexts.
            pdp_contexts() -> heapless::Vec<PdpContextState, 16>
                = |_config| ops::Command::new(GetPdpContexts);

            /// `AT+QIDNSCFG`: set the DNS servers of a PDP context.
            configure_dns(dns: ConfigureDns) -> ()
                = |_config| ops::Command::new(dns) => drop;

            /// `AT+QIDNSGIP`: the addresses of `host`, looked up by the
            /// module over PDP context `context` (see [`ops::Resolve`]).
            resolve(context: PdpContextId, host: HostName<'_>) -> ops::Resolved
                = |_config| ops::Resolve::new(context, host);

            /// Configure an SSL context in one call (see [`ops::SslConfig`]).
            configure_ssl(context: SslContextId, config: &ops::SslConfig<'_>) -> ()
                = |_config| ops::Configure::new(context, config);

            /// Upload `data` as file `name` (replacing a file of that
            /// name); the module's size and checksum are verified.
            upload(name: FileName<'_>, data: &[u8]) -> Uploaded
                = |_config| ops::Upload::new(name, data, Self::UPLOAD_ACK, ops::IfExists::Replace);

            /// `AT+QFDEL`: delete a file.
            delete_file(name: FileName<'_>) -> ()
                = |_config| ops::Command::new(DeleteFile { name }) => drop;

            /// `AT+QFLST`: list files matching `pattern` (the first `N`).
            list_files['p, const N: usize](pattern: impl Into<FilePattern<'p>>) -> FileList<N>
                = |_config| ops::Command::new(ListFiles::<N> { pattern: pattern.into() });

            /// `AT+CCLK`: set the module clock.
            set_clock(time: DateTime) -> ()
                = |_config| ops::Command::new(SetClock(time)) => drop;

            /// `AT&D`: what DTR does (`AT&D1` before an escape with DTR).
            set_dtr_function(function: DtrFunction) -> ()
                = |_config| ops::Command::new(SetDtrFunction(function)) => drop;

            /// `AT+QSSLSTATE`: the module's view of every socket that is
            /// not Initial.
            socket_states() -> heapless::Vec<SslState, 12>
                = |_config| ops::Command::new(ListSslStates);

            /// `AT+QIGETERROR`: the code of the last SSL/TCP command.
            last_error() -> LastError = |_config| ops::Command::new(GetLastError);

            /// Run the note's §4 checklist for an open (see [`ops::Diagnose`]).
            diagnose(pdp: PdpContextId, ssl: SslContextId) -> ops::Diagnosis
                = |_config| ops::Diagnose::new(pdp, ssl);

            /// Find out why `open` failed with `error` (its SSL context was
            /// configured with `config`), probing on the `spare` SSL
            /// context: see [`ops::ExplainOpenFailure`]. No user data
            /// crosses a probe, and no relaxed setting is left behind.
            explain_open_failure(
                open: OpenSslSocket<'_>,
                config: &ops::SslConfig<'_>,
                spare: SslContextId,
                error: Error
            ) -> ops::Explanation
                = |_config| ops::ExplainOpenFailure::new(open, config, spare, error);

            /// Send any typed command and read its typed answer (for
            /// commands that change what the engine tracks, use the
            /// operations above, so that its state follows).
            command[C: AtCommand](cmd: C) -> C::Response = |_config| ops::Command::new(cmd);
        }
    };
}
pub(crate) use module_operations;

/// The imports every face's expansion of [`module_operations`] needs.
macro_rules! operation_imports {
    () => {
        #[allow(unused_imports)]
        use $crate::command::device::{DateTime, DtrFunction, SetClock, SetDtrFunction};
        #[allow(unused_imports)]
        use $crate::command::file::{AckMode, DeleteFile, FileList, ListFiles, Uploaded};
        #[allow(unused_imports)]
        use $crate::command::pdp::{
            ConfigureDns, ConfigurePdpContext, GetPdpContexts, PdpContextState,
        };
        #[allow(unused_imports)]
        use $crate::command::ssl_socket::{
            AccessMode, GetLastError, GetSslState, LastError, ListSslStates, OpenSslSocket,
            SocketStatus, SslState,
        };
        #[allow(unused_imports)]
        use $crate::command::AtCommand;
        #[allow(unused_imports)]
        use $crate::state::SocketHandle;
        #[allow(unused_imports)]
        use $crate::types::{FileName, FilePattern, HostName, PdpContextId, SslContextId};
    };
}
pub(crate) use operation_imports;

/// The names of the list's operations, in order (what each face's
/// `OPERATIONS` must equal).
macro_rules! operation_names {
    ($names:ident; $( $(#[$doc:meta])* $name:ident $([$($gen:tt)*])? ($($args:tt)*) -> $ret:ty
        = |$config:ident| $op:expr $(=> $map:expr)?; )*) => {
        &[$(stringify!($name)),*]
    };
}

/// Hand the list of one socket's operations, by handle, to the macro
/// `$face` (the single-owner faces; on the stack they are the methods of
/// `asynch::TlsSocket`, which holds its handle).
macro_rules! socket_operations {
    ($face:ident) => {
        $face! { SOCKET_OPERATIONS;
            /// Open a socket and wait until it is connected. Received bytes
            /// wait in `rx_buffer` until read (see [`ops::Open::new`] for
            /// its size).
            open(cmd: OpenSslSocket<'_>, rx_buffer: &'r mut [u8]) -> SocketHandle
                = |_config| ops::Open::new(cmd, rx_buffer);

            /// Send up to 1460 bytes of `data`; returns how many the module
            /// took. `SEND FAIL` is retried (see [`Config::send_retry_ms`]).
            write(handle: &SocketHandle, data: &[u8]) -> usize
                = |config| ops::Transmit::new(*handle, data, config.send_retry_ms, config.send_timeout_ms);

            /// Read received bytes: at least one, or 0 at the end of the
            /// stream.
            read(handle: &SocketHandle, buf: &mut [u8]) -> usize
                = |_config| ops::Receive::new(*handle, buf);

            /// Send `text` the note's way: `AT+QSSLSEND=<id>`, the text,
            /// Ctrl+Z (see [`ops::SendOnce::text`]: no 0x1A or 0x1B in it, at
            /// most 1460 bytes). Returns the bytes the module took; binary
            /// data takes `write`.
            send_text(handle: &SocketHandle, text: &[u8]) -> usize
                = |_config| ops::SendOnce::text(*handle, text);

            /// Send one datagram on a DTLS socket (see
            /// [`ops::SslConfig::dtls`]): all of `data`, 1..=1460 bytes, in
            /// one `AT+QSSLSEND` (refused with [`Error::InvalidParameter`]
            /// before anything is written otherwise). `SEND FAIL` is
            /// retried, as for `write`.
            send_datagram(handle: &SocketHandle, data: &[u8]) -> ()
                = |config| ops::Transmit::datagram(*handle, data, config.send_retry_ms, config.send_timeout_ms) => drop;

            /// Receive one datagram of a DTLS socket into `buf`; returns its
            /// length (a longer datagram is truncated to `buf`, as a UDP
            /// receive does), or 0 at the end of the connection.
            recv_datagram(handle: &SocketHandle, buf: &mut [u8]) -> usize
                = |_config| ops::Receive::datagram(*handle, buf);

            /// Close a socket (module default timeout, 10 s).
            close(handle: &SocketHandle) -> () = |_config| ops::Close::new(*handle, None);

            /// Close a socket, waiting at most `timeout` (seconds, or ms
            /// with `closetimemode` 1; 0: at once).
            close_with_timeout(handle: &SocketHandle, timeout: u16) -> ()
                = |_config| ops::Close::new(*handle, Some(timeout));

            /// `AT+QSSLSTATE=<id>`: the module's view of one socket.
            socket_state(handle: &SocketHandle) -> SocketStatus
                = |_config| ops::Command::new(GetSslState { client: handle.client() });

            /// `AT+QISWTMD`: switch a connection to buffer or direct-push
            /// mode.
            switch_mode(handle: &SocketHandle, mode: AccessMode) -> ()
                = |_config| ops::SwitchMode::new(*handle, mode);

            /// Transparent mode: bytes from the peer (0 once the connection
            /// dropped).
            read_raw(handle: &SocketHandle, buf: &mut [u8]) -> usize
                = |_config| ops::RawRead::new(*handle, buf);

            /// Transparent mode: bytes to the peer, as they are.
            write_raw(handle: &SocketHandle, data: &[u8]) -> usize
                = |_config| ops::RawWrite::new(*handle, data);
        }
    };
}
pub(crate) use socket_operations;

/// The operations of the module-wide list, by name.
pub const OPERATIONS: &[&str] = module_operations!(operation_names);

/// The operations of the per-socket list, by name.
pub const SOCKET_OPERATIONS: &[&str] = socket_operations!(operation_names);
