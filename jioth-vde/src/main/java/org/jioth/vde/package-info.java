/** VDE networking: VNLs, Ethernet ports and their schemes. */
package org.jioth.vde;
