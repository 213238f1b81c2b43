# `cmake --install`: the libraries with their headers, a CMake package (find_package(pop3conform)
# gives pop3::protocol, pop3::net, pop3::mock_scenario, pop3::mock, pop3::mock_runner and
# pop3::conformance, the names of the in-tree aliases), a pkg-config file and the tool.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# Installed name (pop3::<export name>) of each library, in link order.
set(POP3_INSTALLED_LIBRARIES
  pop3_conformance conformance
  pop3_mock_runner mock_runner
  pop3_mock mock
  pop3_mock_scenario mock_scenario
  pop3_net net
  pop3_protocol protocol)
set(POP3_INSTALLED_TARGETS)
set(POP3_PC_OWN_LIBS)
while(POP3_INSTALLED_LIBRARIES)
  list(POP_FRONT POP3_INSTALLED_LIBRARIES target exportName)
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${exportName})
  list(APPEND POP3_INSTALLED_TARGETS ${target})
  string(APPEND POP3_PC_OWN_LIBS " -l${target}")
endwhile()

# The public headers need C++17; consumers get it from the targets.
target_compile_features(pop3_protocol INTERFACE cxx_std_17)

install(TARGETS ${POP3_INSTALLED_TARGETS} EXPORT pop3conformTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime)

# `cmake --install --strip` and CPack (CPACK_STRIP_FILES) strip executables and shared
# libraries; this strips the debug information of the static libraries too, as Debian does.
if(CMAKE_STRIP)
  set(POP3_INSTALLED_ARCHIVES)
  foreach(target ${POP3_INSTALLED_TARGETS})
    list(APPEND POP3_INSTALLED_ARCHIVES "$<TARGET_FILE_NAME:${target}>")
  endforeach()
  install(CODE "
    set(libdir \"${CMAKE_INSTALL_LIBDIR}\")
    if(NOT IS_ABSOLUTE \"\${libdir}\")
      set(libdir \"\${CMAKE_INSTALL_PREFIX}/\${libdir}\")
    endif()
    if(CMAKE_INSTALL_DO_STRIP)
      foreach(archive ${POP3_INSTALLED_ARCHIVES})
        execute_process(COMMAND \"${CMAKE_STRIP}\" --strip-debug \"\$ENV{DESTDIR}\${libdir}/\${archive}\"
                        COMMAND_ERROR_IS_FATAL ANY)
      endforeach()
    endif()
  " COMPONENT development)
endif()

# The targets name $<INSTALL_INTERFACE:include>, GNUInstallDirs' default include directory.
foreach(module core/protocol core/net mockserver conformance)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${module}/include/
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT development
          FILES_MATCHING PATTERN "*.h")
endforeach()
install(TARGETS pop3-conform RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)

# The CMake package.
set(POP3_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/pop3conform)
install(EXPORT pop3conformTargets NAMESPACE pop3:: DESTINATION ${POP3_CMAKE_DIR}
        COMPONENT development)
configure_package_config_file(cmake/pop3conformConfig.cmake.in
  ${PROJECT_BINARY_DIR}/pop3conformConfig.cmake INSTALL_DESTINATION ${POP3_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/pop3conformConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/pop3conformConfig.cmake
              ${PROJECT_BINARY_DIR}/pop3conformConfigVersion.cmake
        DESTINATION ${POP3_CMAKE_DIR} COMPONENT development)

# The pkg-config file. Poco ships no .pc files on Debian: its libraries are named directly.
# A static library's dependencies are needed by every link, so they go to Requires and Libs;
# shared libraries keep them private.
set(POP3_PC_DEPS_REQUIRES "openssl yaml-cpp")
set(POP3_PC_DEPS_LIBS
    "-lPocoNetSSL -lPocoCrypto -lPocoNet -lPocoJSON -lPocoXML -lPocoFoundation -pthread")
if(BUILD_SHARED_LIBS)
  set(POP3_PC_REQUIRES "")
  set(POP3_PC_REQUIRES_PRIVATE "${POP3_PC_DEPS_REQUIRES}")
  set(POP3_PC_LIBS "-L\${libdir}${POP3_PC_OWN_LIBS}")
  set(POP3_PC_LIBS_PRIVATE "${POP3_PC_DEPS_LIBS}")
else()
  set(POP3_PC_REQUIRES "${POP3_PC_DEPS_REQUIRES}")
  set(POP3_PC_REQUIRES_PRIVATE "")
  set(POP3_PC_LIBS "-L\${libdir}${POP3_PC_OWN_LIBS} ${POP3_PC_DEPS_LIBS}")
  set(POP3_PC_LIBS_PRIVATE "")
endif()
foreach(dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${dir}}")
    set(POP3_PC_${dir} "${CMAKE_INSTALL_${dir}}")
  else()
    set(POP3_PC_${dir} "\${prefix}/${CMAKE_INSTALL_${dir}}")
  endif()
endforeach()
# The prefix is only known at install time (`cmake --install --prefix`, CPack's staging).
set(POP3_PC_PREFIX "@CMAKE_INSTALL_PREFIX@")
configure_file(cmake/pop3conform.pc.in ${PROJECT_BINARY_DIR}/pop3conform.pc.in @ONLY)
set(POP3_PC_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
install(CODE "
  set(pcFile \"${POP3_PC_DIR}/pop3conform.pc\")
  if(NOT IS_ABSOLUTE \"\${pcFile}\")
    set(pcFile \"\${CMAKE_INSTALL_PREFIX}/\${pcFile}\")
  endif()
  message(STATUS \"Installing: \$ENV{DESTDIR}\${pcFile}\")
  configure_file(\"${PROJECT_BINARY_DIR}/pop3conform.pc.in\" \"\$ENV{DESTDIR}\${pcFile}\" @ONLY)
  list(APPEND CMAKE_INSTALL_MANIFEST_FILES \"\${pcFile}\")
" COMPONENT development)

# Not in the sanitizer build: a consumer would need its instrumentation flags to link.
if(POP3_BUILD_TESTS AND NOT POP3_SANITIZE)
  # Installs into a temporary prefix and builds docs/examples/consumer against it, once with
  # find_package and once with pkg-config.
  add_test(NAME packaging/install
           COMMAND ${PROJECT_SOURCE_DIR}/ci/test-install.sh ${CMAKE_COMMAND} ${PROJECT_BINARY_DIR}
                   ${PROJECT_SOURCE_DIR}/docs/examples/consumer)
  set_tests_properties(packaging/install PROPERTIES LABELS packaging TIMEOUT 300)
endif()
