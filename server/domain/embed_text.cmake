# jijian_embed_text(TARGET target FILE file FUNCTION name HEADER header)
#
# Compiles the text of FILE (a shipped data file such as calendar_cn.toml) into TARGET as
# `std::string_view jijian::server::domain::<FUNCTION>()`, declared in HEADER (an include
# path from the project root). Editing FILE re-runs configure, which regenerates the source
# only when its content changed.
function(jijian_embed_text)
  cmake_parse_arguments(E "" "TARGET;FILE;FUNCTION;HEADER" "" ${ARGN})
  get_filename_component(_name ${E_FILE} NAME_WE)
  set(_cc ${CMAKE_CURRENT_BINARY_DIR}/${_name}_data.cc)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${E_FILE})
  file(READ ${E_FILE} JIJIAN_EMBED_TEXT)
  # The raw string literal ends at )jijian_embed"; refuse a file that contains it.
  string(FIND "${JIJIAN_EMBED_TEXT}" ")jijian_embed\"" _clash)
  if(NOT _clash EQUAL -1)
    message(FATAL_ERROR "${E_FILE} contains the raw-string delimiter )jijian_embed\"")
  endif()
  file(RELATIVE_PATH JIJIAN_EMBED_SOURCE ${PROJECT_SOURCE_DIR} ${E_FILE})
  set(JIJIAN_EMBED_HEADER ${E_HEADER})
  set(JIJIAN_EMBED_FUNCTION ${E_FUNCTION})
  file(CONFIGURE OUTPUT ${_cc} @ONLY CONTENT [==[
// Generated from @JIJIAN_EMBED_SOURCE@ by server/domain/embed_text.cmake.
#include "@JIJIAN_EMBED_HEADER@"

namespace jijian::server::domain {

std::string_view @JIJIAN_EMBED_FUNCTION@() {
  static constexpr std::string_view kText = R"jijian_embed(@JIJIAN_EMBED_TEXT@)jijian_embed";
  return kText;
}

}  // namespace jijian::server::domain
]==])
  target_sources(${E_TARGET} PRIVATE ${_cc})
endfunction()
