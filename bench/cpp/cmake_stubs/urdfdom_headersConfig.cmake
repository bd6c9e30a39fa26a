# The pin wheel's pinocchioConfig.cmake asks for urdfdom_headers, which the cmeel wheels do not
# ship. The benchmark never includes the URDF parser, so an empty package satisfies it.
set(urdfdom_headers_FOUND TRUE)
set(urdfdom_headers_INCLUDE_DIRS "")
set(urdfdom_headers_LIBRARIES "")
set(urdfdom_headers_VERSION 1.0.0)
