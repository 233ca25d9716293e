# Embeds the shipped working-day calendar (calendar_cn.toml) into jijian_domain as
# BuiltInCalendarText(). Include after add_library(jijian_domain ...). Editing the TOML file
# re-runs configure, which regenerates calendar_data.cc only when its content changed.
set(_jijian_calendar_toml ${CMAKE_CURRENT_LIST_DIR}/calendar_cn.toml)
set(_jijian_calendar_cc ${CMAKE_CURRENT_BINARY_DIR}/calendar_data.cc)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_jijian_calendar_toml})
file(READ ${_jijian_calendar_toml} JIJIAN_CALENDAR_TEXT)
# The raw string literal ends at )jijian_calendar"; refuse a file that contains it.
string(FIND "${JIJIAN_CALENDAR_TEXT}" ")jijian_calendar\"" _jijian_calendar_clash)
if(NOT _jijian_calendar_clash EQUAL -1)
  message(FATAL_ERROR "${_jijian_calendar_toml} contains the raw-string delimiter )jijian_calendar\"")
endif()
file(CONFIGURE OUTPUT ${_jijian_calendar_cc} @ONLY CONTENT [==[
// Generated from server/domain/calendar_cn.toml by server/domain/embed_calendar.cmake.
#include "server/domain/calendar.h"

namespace jijian::server::domain {

std::string_view BuiltInCalendarText() {
  static constexpr std::string_view kText = R"jijian_calendar(@JIJIAN_CALENDAR_TEXT@)jijian_calendar";
  return kText;
}

}  // namespace jijian::server::domain
]==])
target_sources(jijian_domain PRIVATE ${_jijian_calendar_cc})
