# Install script for directory: /work/wt-nnmdn/lib/python

# Set the install prefix
if(NOT DEFINED CMAKE_INSTALL_PREFIX)
  set(CMAKE_INSTALL_PREFIX "/usr/local")
endif()
string(REGEX REPLACE "/$" "" CMAKE_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")

# Set the install configuration name.
if(NOT DEFINED CMAKE_INSTALL_CONFIG_NAME)
  if(BUILD_TYPE)
    string(REGEX REPLACE "^[^A-Za-z0-9_]+" ""
           CMAKE_INSTALL_CONFIG_NAME "${BUILD_TYPE}")
  else()
    set(CMAKE_INSTALL_CONFIG_NAME "Debug")
  endif()
  message(STATUS "Install configuration: \"${CMAKE_INSTALL_CONFIG_NAME}\"")
endif()

# Set the component getting installed.
if(NOT CMAKE_INSTALL_COMPONENT)
  if(COMPONENT)
    message(STATUS "Install component: \"${COMPONENT}\"")
    set(CMAKE_INSTALL_COMPONENT "${COMPONENT}")
  else()
    set(CMAKE_INSTALL_COMPONENT)
  endif()
endif()

# Install shared libraries without execute permission?
if(NOT DEFINED CMAKE_INSTALL_SO_NO_EXE)
  set(CMAKE_INSTALL_SO_NO_EXE "1")
endif()

# Is this installation the result of a crosscompile?
if(NOT DEFINED CMAKE_CROSSCOMPILING)
  set(CMAKE_CROSSCOMPILING "FALSE")
endif()

# Set default install directory permissions.
if(NOT DEFINED CMAKE_OBJDUMP)
  set(CMAKE_OBJDUMP "/usr/bin/objdump")
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "python" OR NOT CMAKE_INSTALL_COMPONENT)
  file(INSTALL DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/python3.11/site-packages" TYPE DIRECTORY FILES "/work/wt-nnmdn/lib/python/libsbi" REGEX "/\\_\\_pycache\\_\\_$" EXCLUDE REGEX "/\\_install\\_paths\\.py$" EXCLUDE)
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "python" OR NOT CMAKE_INSTALL_COMPONENT)
  
  set(_libdir "lib")
  if(NOT IS_ABSOLUTE "${_libdir}")
    set(_libdir "${CMAKE_INSTALL_PREFIX}/${_libdir}")
  endif()
  set(_pydir "lib/python3.11/site-packages")
  if(NOT IS_ABSOLUTE "${_pydir}")
    set(_pydir "${CMAKE_INSTALL_PREFIX}/${_pydir}")
  endif()
  message(STATUS "Installing: $ENV{DESTDIR}${_pydir}/libsbi/_install_paths.py")
  file(WRITE "$ENV{DESTDIR}${_pydir}/libsbi/_install_paths.py"
    "# Written by cmake --install: the libsbi this package was installed with.\nLIBRARY = \"${_libdir}/libsbi.so.0\"\n")
  
endif()

