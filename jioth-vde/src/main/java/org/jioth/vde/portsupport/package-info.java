/** Helpers shared by the port implementations (option reading, delivery checks); not exported. */
package org.jioth.vde.portsupport;
