# One helper per kind of artefact; each also makes the wrongbox::name alias.

# PLAIN: no libFuzzer coverage and no sanitizer, whatever the build (the
# installed twins of wrongbox_cc_library).
function(wrongbox_apply_flags target)
  cmake_parse_arguments(W "FUZZ_TARGET;NO_CMP_TRACE;NO_COVERAGE;PLAIN" "" "" ${ARGN})
  target_compile_features(${target} PUBLIC cxx_std_20)
  set_target_properties(${target} PROPERTIES CXX_EXTENSIONS OFF)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
                         -Wnon-virtual-dtor -Wconversion -Wno-sign-conversion)
  if(WRONGBOX_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(W_PLAIN)
    return()
  endif()
  if(WRONGBOX_FUZZ_ENGINE)
    # OSS-Fuzz: $CXXFLAGS instrument everything; the list takes the harness out.
    target_compile_options(${target} PRIVATE ${WRONGBOX_COVERAGE_IGNORELIST})
  elseif(WRONGBOX_FUZZ AND W_NO_COVERAGE)
    # Plumbing the fuzzer never needs to explore (SQLite glue, the CLI):
    # fewer counters for libFuzzer to scan after every input.
  elseif(WRONGBOX_FUZZ)
    # Coverage for libFuzzer in every target, except the sources that
    # fuzz/coverage_ignorelist.txt names; the fuzz binaries link the engine.
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link
                           ${WRONGBOX_COVERAGE_IGNORELIST})
    if(W_NO_CMP_TRACE)
      # Edge coverage only (the byte codec): comparison tracing there costs
      # the fuzzer speed and guides it nowhere useful.
      target_compile_options(${target} PRIVATE -fno-sanitize-coverage=trace-cmp)
    endif()
    get_target_property(_type ${target} TYPE)
    if(_type STREQUAL "EXECUTABLE" AND NOT W_FUZZ_TARGET)
      # Whole: the hooks are wanted by the libraries linked after it.
      target_link_libraries(${target} PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,${WRONGBOX_FUZZER_NO_MAIN}>")
    endif()
    if(_type STREQUAL "EXECUTABLE")
      target_link_options(${target} PRIVATE ${WRONGBOX_EXPORT_COVERAGE_HOOKS})
    endif()
  endif()
  if(WRONGBOX_SANITIZE)
    list(JOIN WRONGBOX_SANITIZE "," _san)
    target_compile_options(${target} PRIVATE -fsanitize=${_san} -fno-omit-frame-pointer
                           -fno-sanitize-recover=all)
    target_link_options(${target} PUBLIC $<BUILD_INTERFACE:-fsanitize=${_san}>)
  endif()
endfunction()

# wrongbox_cc_library(NAME name SRCS ... DEPS ... [NO_CMP_TRACE] [NO_COVERAGE])
# In a libFuzzer build: NO_CMP_TRACE, edge coverage only; NO_COVERAGE, none
# (plumbing the fuzzer does not explore). Single sources are left out by
# fuzz/coverage_ignorelist.txt.
function(wrongbox_cc_library)
  cmake_parse_arguments(W "NO_CMP_TRACE;NO_COVERAGE" "NAME" "SRCS;DEPS" ${ARGN})
  add_library(wrongbox_${W_NAME} STATIC ${W_SRCS})
  add_library(wrongbox::${W_NAME} ALIAS wrongbox_${W_NAME})
  # Inside the build every header is reachable; installed, only include/.
  target_include_directories(wrongbox_${W_NAME} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}> $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:include>)
  set_target_properties(wrongbox_${W_NAME} PROPERTIES EXPORT_NAME ${W_NAME})
  target_link_libraries(wrongbox_${W_NAME} PUBLIC ${W_DEPS})
  set(_kind)
  if(W_NO_CMP_TRACE)
    set(_kind NO_CMP_TRACE)
  elseif(W_NO_COVERAGE)
    set(_kind NO_COVERAGE)
  endif()
  wrongbox_apply_flags(wrongbox_${W_NAME} ${_kind})
  if(WRONGBOX_PLAIN_TWINS)
    # An instrumented build (libFuzzer coverage, sanitizers) installs twins:
    # the same sources without instrumentation, so that a vendor's project
    # links them with any compiler and no extra flags (WrongboxInstall.cmake).
    # Built only when the install needs them.
    set(_deps)
    foreach(_dep IN LISTS W_DEPS)
      set(_twin)
      if(_dep MATCHES "^wrongbox::(.*)$")
        set(_twin wrongbox_${CMAKE_MATCH_1}_plain)
      endif()
      if(_twin AND TARGET ${_twin})
        list(APPEND _deps ${_twin})
      else()
        list(APPEND _deps ${_dep})
      endif()
    endforeach()
    add_library(wrongbox_${W_NAME}_plain STATIC EXCLUDE_FROM_ALL ${W_SRCS})
    target_include_directories(wrongbox_${W_NAME}_plain PUBLIC
      $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}> $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
      $<INSTALL_INTERFACE:include>)
    # Installed under the same file names as a plain build's libraries.
    set_target_properties(wrongbox_${W_NAME}_plain PROPERTIES EXPORT_NAME ${W_NAME}
      OUTPUT_NAME wrongbox_${W_NAME} ARCHIVE_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/plain)
    target_link_libraries(wrongbox_${W_NAME}_plain PUBLIC ${_deps})
    wrongbox_apply_flags(wrongbox_${W_NAME}_plain PLAIN)
  endif()
endfunction()

# Private system include directories of a library and of its plain twin.
function(wrongbox_system_includes name)
  target_include_directories(wrongbox_${name} SYSTEM PRIVATE ${ARGN})
  if(TARGET wrongbox_${name}_plain)
    target_include_directories(wrongbox_${name}_plain SYSTEM PRIVATE ${ARGN})
  endif()
endfunction()

# wrongbox_cc_test(NAME name SRCS ... DEPS ...): a GoogleTest binary, one ctest per test.
function(wrongbox_cc_test)
  cmake_parse_arguments(W "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${W_NAME} ${W_SRCS})
  target_link_libraries(${W_NAME} PRIVATE ${W_DEPS} GTest::gtest GTest::gtest_main)
  wrongbox_apply_flags(${W_NAME})
  gtest_discover_tests(${W_NAME} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                       DISCOVERY_TIMEOUT 60)
endfunction()

# wrongbox_add_campaign_test(): cmake/WrongboxCampaign.cmake (installed with the package).
include(WrongboxCampaign)
