//! Time as people read it: stored in UTC, shown in the event's own time zone (an IANA name,
//! `America/Sao_Paulo` unless the admin chose another) and in the reader's language.

use super::refusal::Invalid;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// Where most of Brazil's events happen; also the zone of events stored before zones existed.
pub const DEFAULT_TIME_ZONE: &str = "America/Sao_Paulo";

/// The languages the box office writes in (the site's, the e-mails', the PDF's).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Language {
    #[default]
    #[serde(rename = "pt-BR")]
    PtBr,
    #[serde(rename = "en")]
    En,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::PtBr => "pt-BR",
            Language::En => "en",
        }
    }

    /// `pt-BR`, `pt`, `en`, `en-US`…; anything else is refused rather than guessed.
    pub fn parse(raw: &str) -> Result<Language, Invalid> {
        let lower = raw.trim().to_ascii_lowercase();
        match lower.split(['-', '_']).next() {
            Some("pt") => Ok(Language::PtBr),
            Some("en") => Ok(Language::En),
            _ => Err(Invalid::coded("invalid_language", "'language' must be 'pt-BR' or 'en'")),
        }
    }
}

/// An IANA zone name the box office can show times in; the canonical spelling is kept.
pub fn check_time_zone(raw: &str) -> Result<String, Invalid> {
    raw.trim().parse::<Tz>().map(|tz| tz.name().to_string()).map_err(|_| {
        Invalid::coded("invalid_time_zone", "'time_zone' must be an IANA time zone such as America/Sao_Paulo")
    })
}

fn zone(name: &str) -> Tz {
    name.parse().unwrap_or(chrono_tz::America::Sao_Paulo)
}

/// The zone as a reader knows it: its city ("São Paulo"), not an offset.
pub fn zone_city(name: &str) -> String {
    match name {
        "America/Sao_Paulo" => "São Paulo".to_string(),
        "America/Belem" => "Belém".to_string(),
        "America/Cuiaba" => "Cuiabá".to_string(),
        "America/Maceio" => "Maceió".to_string(),
        "America/Araguaina" => "Araguaína".to_string(),
        "America/Santarem" => "Santarém".to_string(),
        other => other.rsplit('/').next().unwrap_or(other).replace('_', " "),
    }
}

/// "12/12/2026 20:00 (horário de São Paulo)" / "Dec 12, 2026, 8:00 PM (São Paulo time)".
pub fn format_local(at: DateTime<Utc>, time_zone: &str, language: Language) -> String {
    let local = at.with_timezone(&zone(time_zone));
    let city = zone_city(time_zone);
    match language {
        Language::PtBr => format!("{} (horário de {city})", local.format("%d/%m/%Y %H:%M")),
        Language::En => format!("{} ({city} time)", local.format("%b %-d, %Y, %-I:%M %p")),
    }
}

/// Only the time of day, for "pay by 20:37" in the same zone.
pub fn format_local_time(at: DateTime<Utc>, time_zone: &str, language: Language) -> String {
    let local = at.with_timezone(&zone(time_zone));
    let city = zone_city(time_zone);
    match language {
        Language::PtBr => format!("{} (horário de {city})", local.format("%H:%M")),
        Language::En => format!("{} ({city} time)", local.format("%-I:%M %p")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_utc_instant_is_shown_in_the_events_zone_and_the_readers_language() {
        let at = Utc.with_ymd_and_hms(2026, 12, 12, 23, 0, 0).unwrap();
        assert_eq!(format_local(at, "America/Sao_Paulo", Language::PtBr), "12/12/2026 20:00 (horário de São Paulo)");
        assert_eq!(format_local(at, "America/Manaus", Language::En), "Dec 12, 2026, 7:00 PM (Manaus time)");
        assert_eq!(format_local_time(at, "America/Noronha", Language::PtBr), "21:00 (horário de Noronha)");
    }

    #[test]
    fn only_real_zone_names_and_known_languages_are_accepted() {
        assert_eq!(check_time_zone(" America/Sao_Paulo ").unwrap(), "America/Sao_Paulo");
        assert_eq!(check_time_zone("Brasilia").unwrap_err().code, "invalid_time_zone");
        assert_eq!(Language::parse("en-US").unwrap(), Language::En);
        assert_eq!(Language::parse("pt").unwrap(), Language::PtBr);
        assert_eq!(Language::parse("fr").unwrap_err().code, "invalid_language");
    }
}
