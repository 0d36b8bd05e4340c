# Install rules, the exported CMake package (find_package(Wrongbox CONFIG))
# and the Debian package (cpack -G DEB).
#
# Installed layout (PREFIX/...):
#   bin/wrongbox                        the tool
#   include/wrongbox/                   the vendor headers, nothing internal
#   lib/libwrongbox_*.a                 the libraries behind them
#   lib/cmake/Wrongbox/                 WrongboxConfig.cmake, targets, helpers
#   share/wrongbox/corpus/regressions/  the built-in regression corpus
#   share/wrongbox/corpus/volume/       long scenarios for the variants that need volume
#   share/wrongbox/examples/            the Python and minimal C++ switches
#   share/wrongbox/ci/                  the vendor CI script and templates
#   share/doc/wrongbox/                 the docs
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(WRONGBOX_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Wrongbox)
# The libraries the public targets need at link time; only include/ is
# reachable from them once installed.
set(WRONGBOX_EXPORTED wrongbox_switch wrongbox_plugin_abi wrongbox_protocol_server
    wrongbox_models wrongbox_text wrongbox_property wrongbox_core wrongbox_check)
if(WRONGBOX_PLAIN_TWINS)
  # An instrumented build: the libraries installed are the uninstrumented
  # twins (same sources, same exported names), built with `all`.
  set(_installed)
  foreach(_lib IN LISTS WRONGBOX_EXPORTED)
    if(TARGET ${_lib}_plain)
      list(APPEND _installed ${_lib}_plain)
    else()
      list(APPEND _installed ${_lib})
    endif()
  endforeach()
  set(WRONGBOX_EXPORTED ${_installed})
  add_custom_target(wrongbox_plain_libraries ALL)
  add_dependencies(wrongbox_plain_libraries ${WRONGBOX_EXPORTED})
endif()
install(TARGETS wrongbox ${WRONGBOX_EXPORTED} EXPORT WrongboxTargets
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
if(WRONGBOX_FUZZ AND NOT WRONGBOX_FUZZ_ENGINE)
  # `wrongbox fuzz` and the campaign's fuzzing phase look here, beside bin/.
  install(TARGETS switch_fuzzer RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/wrongbox)
  # Its dictionary (fuzz/make_dict.py writes it beside the binary).
  install(FILES $<TARGET_FILE_DIR:switch_fuzzer>/switch_fuzzer.dict
          DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/wrongbox)
endif()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/wrongbox
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/corpus/regressions ${PROJECT_SOURCE_DIR}/corpus/volume
        DESTINATION ${CMAKE_INSTALL_DATADIR}/wrongbox/corpus)
install(FILES ${PROJECT_SOURCE_DIR}/examples/python/reference_switch.py
        DESTINATION ${CMAKE_INSTALL_DATADIR}/wrongbox/examples/python)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/network
        DESTINATION ${CMAKE_INSTALL_DATADIR}/wrongbox/examples)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/minimal
        DESTINATION ${CMAKE_INSTALL_DATADIR}/wrongbox/examples)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/ci/vendor/ DESTINATION ${CMAKE_INSTALL_DATADIR}/wrongbox/ci
        USE_SOURCE_PERMISSIONS)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

install(EXPORT WrongboxTargets NAMESPACE Wrongbox:: DESTINATION ${WRONGBOX_CMAKE_DIR})
set(WRONGBOX_CORPUS_DIR ${CMAKE_INSTALL_DATADIR}/wrongbox/corpus/regressions)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/WrongboxConfig.cmake.in
  ${PROJECT_BINARY_DIR}/for-install/WrongboxConfig.cmake INSTALL_DESTINATION ${WRONGBOX_CMAKE_DIR}
  PATH_VARS WRONGBOX_CORPUS_DIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/WrongboxConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/for-install/WrongboxConfig.cmake
              ${PROJECT_BINARY_DIR}/WrongboxConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/WrongboxCampaign.cmake
        DESTINATION ${WRONGBOX_CMAKE_DIR})
# The build tree is a package too: find_package(Wrongbox) with
# Wrongbox_DIR=<build dir> uses the tool and libraries where they were built.
export(EXPORT WrongboxTargets NAMESPACE Wrongbox:: FILE ${PROJECT_BINARY_DIR}/WrongboxTargets.cmake)
file(COPY ${PROJECT_SOURCE_DIR}/cmake/WrongboxCampaign.cmake DESTINATION ${PROJECT_BINARY_DIR})
set(WRONGBOX_CORPUS_DIR ${PROJECT_SOURCE_DIR}/corpus/regressions)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/WrongboxConfig.cmake.in
  ${PROJECT_BINARY_DIR}/WrongboxConfig.cmake INSTALL_DESTINATION ${PROJECT_BINARY_DIR}
  INSTALL_PREFIX ${PROJECT_BINARY_DIR} PATH_VARS WRONGBOX_CORPUS_DIR)

# cpack -G DEB (from the build directory): wrongbox_VERSION_amd64.deb.
set(CPACK_PACKAGE_NAME wrongbox)
set(CPACK_PACKAGE_VENDOR "Wrongbox")
set(CPACK_PACKAGE_CONTACT "Wrongbox maintainers <wrongbox@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Regression harness for recipient-routing message switches")
set(CPACK_PACKAGE_INSTALL_DIRECTORY wrongbox)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# Run-time libraries from the binary (dpkg-shlibdeps), and what a vendor's
# find_package(Wrongbox) needs to link the libraries.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "cmake (>= 3.25), pkg-config, libsodium-dev, librapidcheck-dev, libsimdjson-dev, nlohmann-json3-dev")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "python3, libgtest-dev")
include(CPack)
