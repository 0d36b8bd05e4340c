# One helper per kind of artefact; each also makes the wrongbox::name alias.

function(wrongbox_apply_flags target)
  target_compile_features(${target} PUBLIC cxx_std_20)
  set_target_properties(${target} PROPERTIES CXX_EXTENSIONS OFF)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
                         -Wnon-virtual-dtor -Wconversion -Wno-sign-conversion)
  if(WRONGBOX_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(WRONGBOX_SANITIZE)
    list(JOIN WRONGBOX_SANITIZE "," _san)
    target_compile_options(${target} PRIVATE -fsanitize=${_san} -fno-omit-frame-pointer
                           -fno-sanitize-recover=all)
    target_link_options(${target} PUBLIC -fsanitize=${_san})
  endif()
endfunction()

# wrongbox_cc_library(NAME name SRCS ... DEPS ... [PUBLIC_INCLUDE dir])
function(wrongbox_cc_library)
  cmake_parse_arguments(W "" "NAME" "SRCS;DEPS" ${ARGN})
  add_library(wrongbox_${W_NAME} STATIC ${W_SRCS})
  add_library(wrongbox::${W_NAME} ALIAS wrongbox_${W_NAME})
  target_include_directories(wrongbox_${W_NAME} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(wrongbox_${W_NAME} PUBLIC ${W_DEPS})
  wrongbox_apply_flags(wrongbox_${W_NAME})
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
