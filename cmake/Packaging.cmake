# `cpack -G DEB`: pop3-conform_<version>_amd64.deb holds the tool and its man page,
# pop3-conform-dev_<version>_amd64.deb the libraries, headers, CMake package and pkg-config file.
set(CPACK_PACKAGE_NAME pop3-conform)
set(CPACK_PACKAGE_VENDOR "pop3-conform")
set(CPACK_PACKAGE_CONTACT "pop3-conform maintainers" CACHE STRING
    "Maintainer of the Debian packages (Name <email>)")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION "A POP3 toolkit built on one sans-I/O protocol core: a scriptable
mock server for application tests, an RFC conformance checker, a mailbox fetcher
and a load generator.")
set(CPACK_STRIP_FILES ON)
set(CPACK_COMPONENTS_ALL runtime development)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION mail)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME pop3-conform)
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_NAME pop3-conform-dev)
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_SECTION libdevel)
# The static libraries need the headers and libraries of what they link.
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_DEPENDS "libpoco-dev, libyaml-cpp-dev, libssl-dev")
# CPackDeb puts the summary above each of these.
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}

This package holds the pop3-conform tool and its man page.")
set(CPACK_COMPONENT_DEVELOPMENT_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}

This package holds the development files: the static libraries, their headers,
the CMake package (find_package(pop3conform)) and the pkg-config file.")
include(CPack)

# Packages are made from the normal build, not the sanitizer one.
if(POP3_BUILD_TESTS AND NOT POP3_SANITIZE)
  # Builds the .deb packages into a temporary folder, checks their metadata and runs the
  # unpacked tool.
  add_test(NAME packaging/deb
           COMMAND ${PROJECT_SOURCE_DIR}/ci/test-package.sh ${CMAKE_CPACK_COMMAND}
                   ${PROJECT_BINARY_DIR} ${PROJECT_VERSION})
  set_tests_properties(packaging/deb PROPERTIES LABELS packaging TIMEOUT 300)
endif()
