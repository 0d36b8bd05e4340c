# wrongbox_add_campaign_test(NAME name SUT spec [BUDGET sec] [TESTS n] [SEED s]
#                            [SHARD k/n] [ARGS extra-arguments...])
#
# A ctest that runs `wrongbox campaign` against SUT (builtin:NAME,
# exec:'COMMAND ARGS' or plugin:PATH.so): conformance, the built-in
# regression corpus and saved failures, then the search. It passes when
# nothing is violated and fails (exit 1, 2 or 3) otherwise, with the shrunk
# scenario, the violated property and the reproduce command in the output.
#   BUDGET  seconds for the whole campaign (default 20)
#   TESTS   the search plays exactly this many scenarios instead of a budget
#   SEED    random seed (default 1: the same scenarios every run)
#   SHARD   k/n: this test explores shard k of n (see docs/check.md)
# Everything it writes goes to ${CMAKE_CURRENT_BINARY_DIR}/wrongbox/NAME/:
# evidence.db, report.html, junit.xml, sarif.json, logs/, failures/ (replayed
# first on the next run).
#
# Example usage (in a vendor's CMakeLists.txt):
#   find_package(Wrongbox 0.2 CONFIG REQUIRED)
#   enable_testing()
#   wrongbox_add_campaign_test(NAME acme_campaign
#                              SUT "exec:${CMAKE_CURRENT_SOURCE_DIR}/acme-adapter")
function(wrongbox_add_campaign_test)
  cmake_parse_arguments(W "" "NAME;SUT;BUDGET;TESTS;SEED;SHARD" "ARGS" ${ARGN})
  if(NOT W_NAME OR NOT W_SUT)
    message(FATAL_ERROR "wrongbox_add_campaign_test: NAME and SUT are required")
  endif()
  if(NOT W_BUDGET)
    set(W_BUDGET 20)
  endif()
  if(NOT W_SEED)
    set(W_SEED 1)
  endif()
  set(_dir ${CMAKE_CURRENT_BINARY_DIR}/wrongbox/${W_NAME})
  set(_args campaign --sut ${W_SUT} --budget ${W_BUDGET} --seed ${W_SEED}
      --evidence ${_dir}/evidence.db --report ${_dir}/report.html --logs ${_dir}/logs
      --save-failures ${_dir}/failures --fuzz-work ${_dir}/fuzz
      --junit ${_dir}/junit.xml --sarif ${_dir}/sarif.json)
  if(W_TESTS)
    list(APPEND _args --tests ${W_TESTS})
  endif()
  if(W_SHARD)
    list(APPEND _args --shard ${W_SHARD})
  endif()
  file(MAKE_DIRECTORY ${_dir})
  add_test(NAME ${W_NAME} COMMAND $<TARGET_FILE:Wrongbox::wrongbox> ${_args} ${W_ARGS}
           WORKING_DIRECTORY ${_dir})
  set_tests_properties(${W_NAME} PROPERTIES ENVIRONMENT CI=true)
endfunction()
