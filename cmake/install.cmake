# Install rules and the CMake package (included by the top-level CMakeLists.txt when
# NMFKIT_INSTALL is ON). `cmake --install <build> --prefix <p>` puts:
#   <p>/include/nmfkit/            the public headers (plus the generated ones, see below)
#   <p>/lib/libnmfkit.a or .so     the library
#   <p>/lib/cmake/nmfkit/          nmfkitConfig.cmake, nmfkitConfigVersion.cmake, nmfkitTargets*.cmake
#   <p>/lib/pkgconfig/nmfkit.pc    for C and other non-CMake builds
#   <p>/bin/nmfkit                 the CLI (when NMFKIT_BUILD_CLI)
# Everything is relocatable: the package files find the prefix from their own location.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(_nmfkit_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/nmfkit)

# A shared library's soname carries major.minor: under 0.x a minor release may change the ABI.
set_target_properties(nmfkit PROPERTIES VERSION ${PROJECT_VERSION}
                                        SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})

install(TARGETS nmfkit EXPORT nmfkitTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/core/include/nmfkit DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        PATTERN "*.in" EXCLUDE)
# Headers generated at configure time (nmfkit/version.h): whoever generates them sets
# NMFKIT_GENERATED_INCLUDE_DIR to the folder that holds nmfkit/. A set variable whose
# folder is missing fails the install, as it should.
if(NMFKIT_GENERATED_INCLUDE_DIR)
  install(DIRECTORY ${NMFKIT_GENERATED_INCLUDE_DIR}/nmfkit DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endif()

get_target_property(_nmfkit_type nmfkit TYPE)
if(TARGET nmfkit_cli)
  if(_nmfkit_type STREQUAL "SHARED_LIBRARY")
    # The CLI finds libnmfkit.so in ../lib, wherever the prefix is.
    file(RELATIVE_PATH _nmfkit_bin_to_lib /p/${CMAKE_INSTALL_BINDIR} /p/${CMAKE_INSTALL_LIBDIR})
    set_target_properties(nmfkit_cli PROPERTIES INSTALL_RPATH "$ORIGIN/${_nmfkit_bin_to_lib}")
  endif()
  install(TARGETS nmfkit_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

install(EXPORT nmfkitTargets NAMESPACE nmfkit:: DESTINATION ${_nmfkit_cmake_dir})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/nmfkitConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/nmfkitConfig.cmake
                              INSTALL_DESTINATION ${_nmfkit_cmake_dir})
# 0.x: a request for 0.2 accepts 0.2.x only (the API may change between minor releases).
write_basic_package_version_file(${PROJECT_BINARY_DIR}/nmfkitConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/nmfkitConfig.cmake ${PROJECT_BINARY_DIR}/nmfkitConfigVersion.cmake
        DESTINATION ${_nmfkit_cmake_dir})

# pkg-config: the prefix is found relative to the .pc file (${pcfiledir}). A static
# libnmfkit is C++ inside, so a C program links the C++ runtime and libm too; a shared
# one already names them in its DT_NEEDED, so they are only Libs.private there.
file(RELATIVE_PATH NMFKIT_PC_PREFIX_FROM_PCFILEDIR /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
string(REGEX REPLACE "/$" "" NMFKIT_PC_PREFIX_FROM_PCFILEDIR "${NMFKIT_PC_PREFIX_FROM_PCFILEDIR}")
if(_nmfkit_type STREQUAL "STATIC_LIBRARY")
  set(NMFKIT_PC_LIBS_RUNTIME "-lstdc++ -lm")
  set(NMFKIT_PC_LIBS_PRIVATE "")
else()
  set(NMFKIT_PC_LIBS_RUNTIME "")
  set(NMFKIT_PC_LIBS_PRIVATE "-lstdc++ -lm")
endif()
# Threads (nmfkit_thread_pool_*, nmfkit/thread_pool.hpp): -pthread beside the runtime.
if(NMFKIT_THREADS)
  if(_nmfkit_type STREQUAL "STATIC_LIBRARY")
    string(APPEND NMFKIT_PC_LIBS_RUNTIME " -pthread")
  else()
    string(APPEND NMFKIT_PC_LIBS_PRIVATE " -pthread")
  endif()
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/nmfkit.pc.in ${PROJECT_BINARY_DIR}/nmfkit.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/nmfkit.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
