//! Why store operations fail: database errors, and the refusals of the rules (each one
//! contract error code, told in plain words).

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The request breaks a rule; nothing was changed.
    #[error("{0}")]
    Refused(#[from] Refusal),
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// Result of store operations.
pub type StoreResult<T> = Result<T, StoreError>;

/// What the person asking is told when the database fails (the cause goes to the log).
pub const UNAVAILABLE: &str = "数据库暂不可用，请稍后重试 / storage unavailable, retry shortly";

impl StoreError {
    /// The contract's error code: the refusal's, or `storage_unavailable`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Refused(r) => r.code(),
            Self::Db(_) => "storage_unavailable",
        }
    }

    /// What the person asking is told: the refusal in plain words, or [`UNAVAILABLE`].
    pub fn user_message(&self) -> String {
        match self {
            Self::Refused(r) => r.to_string(),
            Self::Db(_) => UNAVAILABLE.to_string(),
        }
    }
}

/// A request the rules refuse. Each maps to one contract error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The service's daily cap is reached.
    #[error("今日该业务号已发完（每日上限 {0} 个） / daily limit of {0} tickets reached")]
    DailyCapReached(i64),
    /// Nothing waiting for this window.
    #[error("当前没有等候的号 / no ticket is waiting for this window")]
    QueueEmpty,
    /// The window is paused.
    #[error("窗口已暂停，请先恢复 / the window is paused; resume it first")]
    WindowPaused,
    /// The window holds no ticket.
    #[error("窗口当前没有叫号 / the window holds no ticket")]
    NoCurrentTicket,
    /// Finish before start.
    #[error("该号尚未开始办理 / the ticket was never started")]
    NotStarted,
    /// Start or recall of a ticket already being served.
    #[error("该号正在办理中 / the ticket is already being served")]
    AlreadyServing,
    /// No ticket with that number today.
    #[error("今日没有号码 {0} / no ticket {0} today")]
    TicketNotFound(String),
    /// The ticket exists but cannot be called now.
    #[error("号码 {0} 当前不在等候 / ticket {0} is not waiting")]
    TicketNotWaiting(String),
    /// The ticket belongs to a service this window does not serve.
    #[error("号码 {0} 不属于本窗口的业务 / ticket {0} is not for this window's services")]
    NotServedHere(String),
    /// Transfer to the window that holds it.
    #[error("不能转给本窗口 / cannot transfer to the same window")]
    SameWindow,
    /// Transfer to the service the ticket already waits for.
    #[error("已在该业务队列 / already in that service")]
    SameService,
    /// The slot has no room left.
    #[error("该时段已约满，请选择其他时段 / this slot is full")]
    SlotFull,
    /// The person made the most bookings allowed today (cancelled ones count).
    #[error("同一用户每天只能预约{0}次（取消的预约也计算在内），请明天再约 / at most {0} bookings a day, cancelled ones included; please book tomorrow")]
    DailyLimit(i64),
    /// The person holds the most active appointments allowed on that day.
    #[error("您在该日已有{0}个预约，不能再预约 / you already hold {0} appointments on that day")]
    ActivePerDay(i64),
    /// The person may not book online until `until_day`.
    #[error("{reason}，{until_day}前不能在线预约 / online booking suspended until {until_day}")]
    Banned {
        /// Last day of the ban (exclusive: booking works again on this day).
        until_day: String,
        /// Why, in plain words.
        reason: String,
    },
    /// Too late to change (the slot has started).
    #[error("预约时段已开始，不能取消 / the slot has started")]
    TooLate,
    /// No such appointment (or not this person's).
    #[error("没有找到该预约 / no such appointment")]
    AppointmentNotFound,
    /// The appointment is not in the booked state.
    #[error("该预约当前状态为 {0}，不能办理 / the appointment is {0}")]
    NotBooked(String),
    /// False information can only be marked on an appointment ticket.
    #[error("只有预约号可以标记虚假信息 / only appointment tickets can be marked")]
    NotAppointment,
    /// This ticket's appointment is already marked as false information.
    #[error("该号已标记为信息不实 / already marked")]
    AlreadyMarked,
    /// The hall closed the slot (or its day).
    #[error("该时段已停止预约 / the hall has closed this slot")]
    SlotClosed,
    /// Another writer kept winning; try again.
    #[error("系统繁忙，请重试 / busy, please retry")]
    Contention,
}

impl Refusal {
    /// The contract's error code of this refusal (`daily_cap_reached`, `queue_empty` …).
    pub fn code(&self) -> &'static str {
        use Refusal::*;
        match self {
            DailyCapReached(_) => "daily_cap_reached",
            QueueEmpty => "queue_empty",
            WindowPaused => "window_paused",
            NoCurrentTicket => "no_current_ticket",
            NotStarted => "not_started",
            AlreadyServing => "already_serving",
            TicketNotFound(_) => "ticket_not_found",
            TicketNotWaiting(_) => "ticket_not_waiting",
            NotServedHere(_) => "not_served_here",
            SameWindow => "same_window",
            SameService => "same_service",
            Contention => "busy",
            SlotFull => "slot_full",
            SlotClosed => "slot_closed",
            DailyLimit(_) | ActivePerDay(_) => "daily_limit",
            Banned { .. } => "banned",
            TooLate => "too_late",
            AppointmentNotFound => "appointment_not_found",
            NotBooked(_) => "not_booked",
            NotAppointment => "not_appointment",
            AlreadyMarked => "already_marked",
        }
    }
}
