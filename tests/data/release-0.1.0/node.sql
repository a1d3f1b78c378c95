BEGIN TRANSACTION;
CREATE TABLE administration (
	id VARCHAR(64) NOT NULL, 
	patient_id VARCHAR(64) NOT NULL, 
	at_s BIGINT NOT NULL, 
	day INTEGER NOT NULL, 
	drug VARCHAR(16) NOT NULL, 
	route VARCHAR(16) NOT NULL, 
	dose_mg FLOAT NOT NULL, 
	weight_kg FLOAT, 
	setting VARCHAR(24) NOT NULL, 
	row_hash VARCHAR(64) NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(patient_id) REFERENCES patient (id)
);
INSERT INTO "administration" VALUES('39d8399245bb2549388cb45bf8c43815','1d7f78ce2280563f13b335158723ac55',1736415600,20097,'ketamine','iv',55.5,111.0,'clinic','e99538474e8e3c9000089eb1db65e7b8');
INSERT INTO "administration" VALUES('0b977f6c3e114d0fa0100d08912d8129','1d7f78ce2280563f13b335158723ac55',1736677500,20100,'ketamine','iv',55.4,110.8,'clinic','855ef6cf34773851dec2d1f59a52cfa8');
INSERT INTO "administration" VALUES('3349a106b7614e51dca8bd207b1ccc8a','1d7f78ce2280563f13b335158723ac55',1737035100,20104,'ketamine','iv',55.2,110.4,'clinic','1f601defb84fa88e45bab79f2bacee48');
INSERT INTO "administration" VALUES('bfd5c69cdc1d712e0be3acb128a2119d','1d7f78ce2280563f13b335158723ac55',1737275700,20107,'ketamine','iv',55.4,110.8,'clinic','463a090a52251083f700eceec92648da');
INSERT INTO "administration" VALUES('306521e285f3e0f845d619c14e86afbc','1d7f78ce2280563f13b335158723ac55',1737620700,20111,'ketamine','iv',55.4,110.8,'clinic','1419d0764267f0879385cd03aefda7d2');
INSERT INTO "administration" VALUES('7865bc1fc236c8e711b8b00286026098','1d7f78ce2280563f13b335158723ac55',1737808200,20113,'ketamine','iv',55.3,110.6,'clinic','e59f44a34419b853a9f89cb82730d592');
INSERT INTO "administration" VALUES('5cbf37f684735c3e42aa8c36d4113bec','1d7f78ce2280563f13b335158723ac55',1738245900,20118,'ketamine','iv',55.1,110.3,'clinic','a7f123d6bfda3bb3561569f0fe7de2e2');
INSERT INTO "administration" VALUES('7769e34acd74717ff4e32b0ce4ecf537','1d7f78ce2280563f13b335158723ac55',1738487100,20121,'ketamine','iv',55.0,110.1,'clinic','549582537f51fc68496cf09afc9fc36a');
INSERT INTO "administration" VALUES('97acbb741fd34fa062f256c2a712086b','dc5313d9aa6cc13ff052450d50565c3e',1702547400,19705,'esketamine','intranasal',56.0,41.9,'inpatient','1b3717aebfa66c8cbfd0b033a75ae623');
INSERT INTO "administration" VALUES('cb4cc355333401fc8de2885e8e9c9e51','dc5313d9aa6cc13ff052450d50565c3e',1702826100,19708,'esketamine','intranasal',56.0,42.8,'inpatient','44efe48e5aec8bfa8295a43d6abb6e0d');
INSERT INTO "administration" VALUES('d9407c85c6ab2492eeeecf61472955bb','dc5313d9aa6cc13ff052450d50565c3e',1703180100,19712,'esketamine','intranasal',56.0,41.6,'inpatient','03dcc17062ccfa7d809647037a8c5d92');
INSERT INTO "administration" VALUES('e838b41788dff6b9efa90ad1d7fee2bd','dc5313d9aa6cc13ff052450d50565c3e',1703421900,19715,'esketamine','intranasal',56.0,NULL,'inpatient','6594885f6ff28c9f66dfd9b55950b9ef');
INSERT INTO "administration" VALUES('b8a3114d56800d62866bc4956f508d3a','dc5313d9aa6cc13ff052450d50565c3e',1703748300,19719,'esketamine','intranasal',84.0,41.7,'inpatient','a1271539bb672a5d4032093fb4bf3181');
INSERT INTO "administration" VALUES('adb09d41caad8b9952d84a71d3663af0','dc5313d9aa6cc13ff052450d50565c3e',1704045000,19722,'esketamine','intranasal',84.0,41.3,'inpatient','89e5a7252d5f212b80842ca632aad032');
INSERT INTO "administration" VALUES('ee9f7dcd8b4fe970156de4a4822b4e8e','dc5313d9aa6cc13ff052450d50565c3e',1704391800,19726,'esketamine','intranasal',84.0,42.1,'inpatient','f0ae01816e9eaf8fd0a9c7cd23ee33b9');
INSERT INTO "administration" VALUES('afb6ba0cc6dbd4cc6854cd3cc949f14f','dc5313d9aa6cc13ff052450d50565c3e',1704648000,19729,'esketamine','intranasal',84.0,42.5,'inpatient','ecf07eb9813e1206ed4b55c6050e93e6');
INSERT INTO "administration" VALUES('d985b791060acd1bf5feb8965ec1a151','dc5313d9aa6cc13ff052450d50565c3e',1705224900,19736,'esketamine','intranasal',84.0,41.9,'clinic','6c76dbb7bd959fcf7cb95e7eb6cc2f0b');
INSERT INTO "administration" VALUES('aa7b9f71bb508844f660994c9919b01e','dc5313d9aa6cc13ff052450d50565c3e',1705837200,19743,'esketamine','intranasal',84.0,42.3,'clinic','f7648e4539c399d1ce71b5b1aa158553');
INSERT INTO "administration" VALUES('b3ef2df701765ce0c053332f48e677dc','dc5313d9aa6cc13ff052450d50565c3e',1706439600,19750,'esketamine','intranasal',84.0,41.5,'clinic','3b8bd2cdefaa4de9caa78f487af2e1d5');
INSERT INTO "administration" VALUES('1572d6247c5156fbe22e748dcac410ef','dc5313d9aa6cc13ff052450d50565c3e',1707046500,19757,'esketamine','intranasal',84.0,41.1,'clinic','2716c48799b26d6af78eaf897ef3f2b3');
INSERT INTO "administration" VALUES('66c16cc08cbb474a1459f56da9396051','dc5313d9aa6cc13ff052450d50565c3e',1707662700,19764,'esketamine','intranasal',84.0,41.8,'clinic','43de3ae3e882c331c7ba48cf18cd21e9');
INSERT INTO "administration" VALUES('cd353af323d6f7a5aa3bbe6fc30fddfd','dc5313d9aa6cc13ff052450d50565c3e',1708259400,19771,'esketamine','intranasal',84.0,42.1,'clinic','fbef9d934e58909b0a2503e777ddcd3f');
INSERT INTO "administration" VALUES('69cd2a40d0af4b8ff8a1107667e7c8b0','dc5313d9aa6cc13ff052450d50565c3e',1708848000,19778,'esketamine','intranasal',84.0,42.2,'clinic','00c0a1f6ccc9e41049ef5b7dde7ea710');
INSERT INTO "administration" VALUES('5e67d6b0d68b687288b10f9611a01a0b','dc5313d9aa6cc13ff052450d50565c3e',1710843300,19801,'esketamine','intranasal',84.0,42.3,'clinic','422a0d41f43c9584de51b12d65d615f7');
INSERT INTO "administration" VALUES('2a20ff682b8eacf60207f6886c0ccc0d','dc5313d9aa6cc13ff052450d50565c3e',1711440300,19808,'esketamine','intranasal',84.0,42.0,'clinic','ef97755aa6095765332920ed5f032d1b');
INSERT INTO "administration" VALUES('6eb687d2c28a840437f6dae887752373','dc5313d9aa6cc13ff052450d50565c3e',1712052900,19815,'esketamine','intranasal',84.0,NULL,'clinic','921cf523acfa866b952bea7fb532d933');
INSERT INTO "administration" VALUES('50de463a4eeae75fdc15c402e726a909','dc5313d9aa6cc13ff052450d50565c3e',1712741400,19823,'esketamine','intranasal',84.0,42.1,'clinic','e0c19859cf5be3bd6b82db8454d03da0');
INSERT INTO "administration" VALUES('7882c1bee57fe90f51fcb452ecacef25','dc5313d9aa6cc13ff052450d50565c3e',1713345000,19830,'esketamine','intranasal',84.0,41.8,'clinic','880285f30f20e3675cd9cb9ad029020c');
INSERT INTO "administration" VALUES('7a81ddde854b66ce5544800a970018f6','dc5313d9aa6cc13ff052450d50565c3e',1713960300,19837,'esketamine','intranasal',84.0,42.2,'clinic','ec5603994079a429711c97a38bd8d713');
INSERT INTO "administration" VALUES('25636ebc3ba155fa5ca75dc7d562aea9','dc5313d9aa6cc13ff052450d50565c3e',1714642200,19845,'esketamine','intranasal',84.0,41.3,'clinic','13a3d3d42995932f884d746f011a55b9');
INSERT INTO "administration" VALUES('d2e3e7b63099af9e475aaf815b009a10','dc5313d9aa6cc13ff052450d50565c3e',1715260800,19852,'esketamine','intranasal',84.0,41.3,'clinic','f805598329b39dea715efe4eceba9cab');
INSERT INTO "administration" VALUES('5b4b99342ae4b482253900ea9fb8c897','dc5313d9aa6cc13ff052450d50565c3e',1715778000,19858,'esketamine','intranasal',84.0,NULL,'clinic','7c2a20352919f52d3f1bec618db53a6c');
INSERT INTO "administration" VALUES('d165cb3e4cbf2e5ce1e0c87b37aafdfc','dc5313d9aa6cc13ff052450d50565c3e',1716453900,19866,'esketamine','intranasal',84.0,42.1,'clinic','0a112cfa0d5fb4affa022b6828c8c796');
INSERT INTO "administration" VALUES('b52f56d7ccdc3c998f89576f974bb789','dc5313d9aa6cc13ff052450d50565c3e',1717055100,19873,'esketamine','intranasal',84.0,NULL,'clinic','e39d0fc67ab556625199c678ea3b31dc');
INSERT INTO "administration" VALUES('c76d93dced79118bca131f3ba7758a64','dc5313d9aa6cc13ff052450d50565c3e',1717656900,19880,'esketamine','intranasal',84.0,41.6,'clinic','7b5749f4c07fee9cfbfb6608272e3c3f');
INSERT INTO "administration" VALUES('37be16f43551466f314b564a0b8696a2','dc5313d9aa6cc13ff052450d50565c3e',1718281800,19887,'esketamine','intranasal',84.0,41.9,'clinic','6dbf20d4f6aab764937a207d544ff0e3');
INSERT INTO "administration" VALUES('296e2caac44faa115f679e9d5a6119a5','dc5313d9aa6cc13ff052450d50565c3e',1718888100,19894,'esketamine','intranasal',84.0,41.7,'clinic','067a2152858407b731a1f695ec2b99f4');
INSERT INTO "administration" VALUES('2d050a8c398862fe256a5887c5a53b20','dc5313d9aa6cc13ff052450d50565c3e',1719470400,19901,'esketamine','intranasal',84.0,42.2,'clinic','78719370307b7c3671084d480b51d852');
INSERT INTO "administration" VALUES('de22f90e6fc8ac63914757b5d9531a8b','dc5313d9aa6cc13ff052450d50565c3e',1720008300,19907,'esketamine','intranasal',84.0,42.1,'clinic','c1c05df82ad9a488b052bdc66342fcd8');
INSERT INTO "administration" VALUES('d67d7bfa01eba0c025b6112e456b3636','dc5313d9aa6cc13ff052450d50565c3e',1720601100,19914,'esketamine','intranasal',84.0,41.6,'clinic','83c328f8123477d61def35da06854715');
INSERT INTO "administration" VALUES('89c17294161fe040f5c208327fa03ecd','dc5313d9aa6cc13ff052450d50565c3e',1721222400,19921,'esketamine','intranasal',84.0,41.2,'clinic','ad8cba6a8d54939407c10fc52348a4de');
INSERT INTO "administration" VALUES('98b3e829bd2f8421bdd94b635b71b259','dc5313d9aa6cc13ff052450d50565c3e',1721815500,19928,'esketamine','intranasal',84.0,41.7,'clinic','7ba218a05d7ab293f596a407a2466e15');
INSERT INTO "administration" VALUES('4f93dd2a026c58312a07f8cf1a0ca7c1','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1718448300,19889,'ketamine','iv',36.5,72.9,'clinic','d62329cac56fac45c9def0b78002e772');
INSERT INTO "administration" VALUES('fff8bbb15c5716d8072adc21635f6b7b','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1718626500,19891,'ketamine','iv',35.8,71.6,'clinic','513aed25d092fba3d2cdee87b62d19ea');
INSERT INTO "administration" VALUES('ba38dcdab293fe1ab42fe5564e67f3e9','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1719048000,19896,'ketamine','iv',35.9,71.7,'clinic','69ebe24b3f13876be8178505b042c658');
INSERT INTO "administration" VALUES('e69242b15bbbcd0cb33c2125acb342d0','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1719225900,19898,'ketamine','iv',36.2,72.5,'clinic','00c2173fdd49d1c8499f1f15a3e2ed93');
INSERT INTO "administration" VALUES('e280a3a0fb2de8dfa79e21e053e15865','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1719733500,19904,'ketamine','iv',36.1,72.3,'clinic','db031e66c749b28eb401f6c5b34ca908');
INSERT INTO "administration" VALUES('eeb0756093fc9fe106c3a606d3a87051','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1719915900,19906,'ketamine','iv',36.3,NULL,'clinic','54a2e182b52946015e41bb592c0438ff');
INSERT INTO "administration" VALUES('2fa49919b96ecc33fd69291ae5746107','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1720008600,19907,'ketamine','iv',35.8,71.5,'clinic','63f0aeb54464dd4070fcb0fb53d54978');
INSERT INTO "administration" VALUES('93ce53f80fe5fe60c1b6149cda36885d','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1720178400,19909,'ketamine','iv',36.3,72.6,'clinic','d6768cbe8f17a24d5cda69ac2ee14c55');
INSERT INTO "administration" VALUES('7cf9afbb0e33666e6d3420c51d4be6e2','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1720871400,19917,'ketamine','iv',54.3,72.4,'clinic','76b890fa0100a40448cc8c865e8fd996');
INSERT INTO "administration" VALUES('cead1f27e128b753144d70098a66f87e','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1721469600,19924,'ketamine','iv',53.7,71.6,'clinic','31890b7430baec80b1c45e83936e0fd2');
INSERT INTO "administration" VALUES('5b2a20a930c74358fdcc7fb4f33c37a1','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1722082500,19931,'ketamine','iv',53.4,71.2,'clinic','51df89cd9b9374e2044f46349ca4559a');
INSERT INTO "administration" VALUES('45c5a59fe42fdbf74abe083eeb6b6b29','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1722682800,19938,'ketamine','iv',54.7,72.9,'clinic','a33b15cb76b5ed34f96eac7e85e65650');
INSERT INTO "administration" VALUES('eba666c823296bbfd55edd09f9259b9d','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1723979400,19953,'ketamine','iv',54.2,72.2,'clinic','cbc4585c375cb624e4b2d58c75af4945');
INSERT INTO "administration" VALUES('3a015f7244ee20ba805ddc50642d0e58','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1725176400,19967,'ketamine','iv',54.2,72.3,'clinic','8f7d38b4bd37b0589b71e92038a93b4d');
INSERT INTO "administration" VALUES('b6e9975d3dc177cd9c657f1b7293e142','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1726472100,19982,'ketamine','iv',54.0,72.0,'clinic','e9e0240e6c93d161d60a1f2447e5598e');
INSERT INTO "administration" VALUES('2ad887edc8d2c1a82ddeaade84ac26ea','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1727689200,19996,'ketamine','iv',54.0,72.0,'clinic','23897ba8c3637d0fcf6bc47d8789b7e3');
INSERT INTO "administration" VALUES('577e5dbeac1a985bcdc2b164eaeeba61','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1728982800,20011,'ketamine','iv',54.0,72.0,'clinic','efadbe430f804efd90f0612d20ef02b4');
INSERT INTO "administration" VALUES('486b26b65af67ce0f17e22d1a3370687','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1730198400,20025,'ketamine','iv',54.4,72.5,'clinic','a25aa38f7e12057ecc0b424be33c6652');
INSERT INTO "administration" VALUES('c61085504f5b58e3fd583555930babfa','7ef052062cce261974488a1855a1bf9e',1729353300,20015,'esketamine','intranasal',56.0,62.3,'inpatient','9a561b66a303476dee209fad6b062287');
INSERT INTO "administration" VALUES('5a918970db2e6dfc193e771696f662b3','7ef052062cce261974488a1855a1bf9e',1729598700,20018,'esketamine','intranasal',56.0,61.2,'inpatient','3df5d577ef2d05d2497ab2898ebc8281');
INSERT INTO "administration" VALUES('f7796a5448c52ea26c626d680d57089a','7ef052062cce261974488a1855a1bf9e',1729951200,20022,'esketamine','intranasal',56.0,61.4,'inpatient','49305e11261be7eb7761b543cda9fadb');
INSERT INTO "administration" VALUES('9d00c7bbafce9b01ad46f70f1ef06e29','7ef052062cce261974488a1855a1bf9e',1730190600,20025,'esketamine','intranasal',56.0,61.7,'inpatient','4dea8a0d17490347e518bd8ed3abe2e3');
INSERT INTO "administration" VALUES('17af751ee88f3e5fb757076b01ac1522','7ef052062cce261974488a1855a1bf9e',1730502300,20028,'esketamine','intranasal',84.0,61.7,'inpatient','bda69a1f096aaba0cc558a9ed071ace9');
INSERT INTO "administration" VALUES('662998cf3550e20eb131e7da233ff490','7ef052062cce261974488a1855a1bf9e',1730799600,20032,'esketamine','intranasal',84.0,61.0,'inpatient','0b9f6b4f9caeb989d0e5e2c3e358168d');
INSERT INTO "administration" VALUES('81385e8fe43435cf51acd2c01757ebee','7ef052062cce261974488a1855a1bf9e',1731107400,20035,'esketamine','intranasal',84.0,62.1,'inpatient','6826c4e2d202e9fc762ff8f5a70ed4fe');
INSERT INTO "administration" VALUES('cf545527cbbb10ca32bc7ff1fa935c84','7ef052062cce261974488a1855a1bf9e',1731501600,20040,'esketamine','intranasal',84.0,61.2,'inpatient','359ef51ba62ad2658f10bccafe2ed70a');
INSERT INTO "administration" VALUES('ed8bb5cff4d33a7ae0e1cbd925954dc3','7ef052062cce261974488a1855a1bf9e',1732107300,20047,'esketamine','intranasal',84.0,61.8,'clinic','366c712273f23283bc2d5f6f49e03dea');
INSERT INTO "administration" VALUES('9bb43919b2788b2558d18b2e9a761ba1','7ef052062cce261974488a1855a1bf9e',1732694100,20054,'esketamine','intranasal',84.0,61.7,'clinic','9b6fa53c73cea127e59de687d0907efd');
INSERT INTO "administration" VALUES('b7f17e2d1bf19fc0e7fcd0b47519e028','7ef052062cce261974488a1855a1bf9e',1734957600,20080,'esketamine','intranasal',84.0,61.3,'clinic','43d785c93726cf3756cddf7479deac94');
INSERT INTO "administration" VALUES('f6c9eb4b6185a90ab48790b8ec21c72e','7ef052062cce261974488a1855a1bf9e',1735564200,20087,'esketamine','intranasal',84.0,61.9,'clinic','592e4942f62158b54ea90208ef461f03');
INSERT INTO "administration" VALUES('40e57dd1a8d7f0505662a1e2e9c07b6d','7ef052062cce261974488a1855a1bf9e',1736693100,20100,'esketamine','intranasal',84.0,61.7,'clinic','dc13cc195240e7d2942898eb1fb55741');
INSERT INTO "administration" VALUES('aa178c4534ceeb01f42e2322bd9840d4','7ef052062cce261974488a1855a1bf9e',1737884400,20114,'esketamine','intranasal',84.0,61.3,'clinic','fa10a278a70a6fa71e5d50178ff0ae43');
INSERT INTO "administration" VALUES('6220d3249a70d2ce0faf3c1eff22da89','7ef052062cce261974488a1855a1bf9e',1739018400,20127,'esketamine','intranasal',84.0,61.3,'clinic','a9c05e417e90e0eb65c8685f6b157216');
INSERT INTO "administration" VALUES('f3a5c02286f4a98d1dcff47828226330','7ef052062cce261974488a1855a1bf9e',1740311700,20142,'esketamine','intranasal',84.0,61.3,'clinic','b4af4f9906c2445245aaedecd8721907');
INSERT INTO "administration" VALUES('8e915c06755852a0feca90408082ad2c','7ef052062cce261974488a1855a1bf9e',1741507200,20156,'esketamine','intranasal',84.0,61.3,'clinic','759398fd9af3de2975721158b94a1d88');
INSERT INTO "administration" VALUES('c949ea5354e146228f1d92bceb7bc2a3','7ef052062cce261974488a1855a1bf9e',1742717700,20170,'esketamine','intranasal',84.0,60.9,'clinic','7c00b42f7113750df11fa9a4f4af2c1c');
INSERT INTO "administration" VALUES('bfdc3383d74905426834a30a4160231b','7ef052062cce261974488a1855a1bf9e',1743927300,20184,'esketamine','intranasal',84.0,61.6,'clinic','0f00fc188f297a6e63f4e990c4e9217f');
INSERT INTO "administration" VALUES('08dede874de57a5346bdcf04409bc3d3','7ef052062cce261974488a1855a1bf9e',1745154300,20198,'esketamine','intranasal',84.0,61.5,'clinic','9c89c0bb48c6a08e7aabbe7a2ca825e1');
INSERT INTO "administration" VALUES('45b3438c953a3b02ac15ddc6418d9d4d','7ef052062cce261974488a1855a1bf9e',1746347100,20212,'esketamine','intranasal',84.0,61.7,'clinic','41731f9c06e55c6aa6bd017a10ae254c');
INSERT INTO "administration" VALUES('bc90613ce5aaae9f1d38ae2e050ba9d5','7ef052062cce261974488a1855a1bf9e',1747644900,20227,'esketamine','intranasal',84.0,60.9,'clinic','cdb6d8ea8fb4bfe748cb90e9077ac55f');
INSERT INTO "administration" VALUES('19139e3e3c5adefcb7884cde136423e2','7ef052062cce261974488a1855a1bf9e',1748853300,20241,'esketamine','intranasal',84.0,60.9,'clinic','4b92a2de5d8018084e518627d5d447eb');
INSERT INTO "administration" VALUES('b3629878d71eef3fe39c71d462c4e733','7ef052062cce261974488a1855a1bf9e',1750067400,20255,'esketamine','intranasal',84.0,61.6,'clinic','5c5c602ec0249e11de9b73095a14c20e');
INSERT INTO "administration" VALUES('f528487b016c9f2c5b4d53281ad967b0','7ef052062cce261974488a1855a1bf9e',1751281800,20269,'esketamine','intranasal',84.0,61.7,'clinic','e262585519a5e94c74ce6b03d5b1cdec');
INSERT INTO "administration" VALUES('cc3712f007a1f7e67880e200a6cb1361','7ef052062cce261974488a1855a1bf9e',1752496500,20283,'esketamine','intranasal',84.0,61.7,'clinic','f2fd36aad68e32706ba1bd894c03cad9');
INSERT INTO "administration" VALUES('50deb0c19afb80e20f59044470f425ac','7ef052062cce261974488a1855a1bf9e',1753704900,20297,'esketamine','intranasal',84.0,61.4,'clinic','5456ae5fdb7039824e034a7e055f3fa8');
INSERT INTO "administration" VALUES('bc9eeb4b6f3446d026246e8b1c599d72','7ef052062cce261974488a1855a1bf9e',1754904300,20311,'esketamine','intranasal',84.0,61.6,'clinic','bd53a540c2156c4a45b6952a75ba6ba3');
INSERT INTO "administration" VALUES('76b375c3d5fde9ff81ac0867dbda0937','7ef052062cce261974488a1855a1bf9e',1756112700,20325,'esketamine','intranasal',84.0,61.1,'clinic','d1d9c9e94e8f6d884430ee8628bb6ba7');
INSERT INTO "administration" VALUES('9bcdf20f58f65fb3bed60031c51cfeeb','4aa62740721b83dcefa8cc9ae9b2b520',1752140100,20279,'esketamine','intranasal',56.0,NULL,'clinic','4a86b844f447f0806836de8c0dafaf0c');
INSERT INTO "administration" VALUES('72cabceb38362c25ce8d9b2595f2697d','4aa62740721b83dcefa8cc9ae9b2b520',1752404700,20282,'esketamine','intranasal',84.0,NULL,'clinic','92b61b32b110a820011d728fefbef763');
INSERT INTO "administration" VALUES('6712ce77404a01d2a5e2f805a3750632','4aa62740721b83dcefa8cc9ae9b2b520',1752753300,20286,'esketamine','intranasal',84.0,NULL,'clinic','9cf4db3a9d2744213a82f956271ef620');
INSERT INTO "administration" VALUES('a5f6d54404f594d7c610cfd587731dba','4aa62740721b83dcefa8cc9ae9b2b520',1753011300,20289,'esketamine','intranasal',84.0,NULL,'clinic','0c3046827424464d22989f489f29aec8');
INSERT INTO "administration" VALUES('2bdb1618508aa1f911ec1d6b9db4ab7e','4aa62740721b83dcefa8cc9ae9b2b520',1753365000,20293,'esketamine','intranasal',84.0,NULL,'clinic','855856ba0c2943199602d12ae99b1d64');
INSERT INTO "administration" VALUES('bdfb8c7ca5196d4830b1109313faed96','4aa62740721b83dcefa8cc9ae9b2b520',1753625700,20296,'esketamine','intranasal',84.0,NULL,'clinic','2fe9bd9b82c2a6087db649fde3369472');
INSERT INTO "administration" VALUES('00434c2dfdf712f2111c755936271531','4aa62740721b83dcefa8cc9ae9b2b520',1753955100,20300,'esketamine','intranasal',84.0,NULL,'clinic','bd366297c76328cadd5bd6e7d59f98df');
INSERT INTO "administration" VALUES('62ceb26be636409dcbd4abf53af676b1','4aa62740721b83dcefa8cc9ae9b2b520',1754219700,20303,'esketamine','intranasal',84.0,NULL,'clinic','f8b1bca10712a4e721e1750437613bd5');
INSERT INTO "administration" VALUES('85b99bcbd11d87020ed15a69946a6434','4aa62740721b83dcefa8cc9ae9b2b520',1754817900,20310,'esketamine','intranasal',84.0,NULL,'clinic','04c156c63fa704f18499d875ce897526');
INSERT INTO "administration" VALUES('2f7450a409687356bfbdc16ccfca0ca6','4aa62740721b83dcefa8cc9ae9b2b520',1755433200,20317,'esketamine','intranasal',84.0,NULL,'clinic','5236fbc72c559e804481970cdb71f1ed');
INSERT INTO "administration" VALUES('a8213bb3346ca703b7977294b7cf1210','4aa62740721b83dcefa8cc9ae9b2b520',1756035300,20324,'esketamine','intranasal',84.0,NULL,'clinic','ea0b93350f25d4fb24ace2eae48741ac');
INSERT INTO "administration" VALUES('74e520516bf8bec93001ecb54acbed04','4aa62740721b83dcefa8cc9ae9b2b520',1756634400,20331,'esketamine','intranasal',84.0,NULL,'clinic','ca1e0635618555d29b24a57ad4b7db8b');
INSERT INTO "administration" VALUES('b6c03207d76e314f6ece95f8664c96c6','6e16ed2558f67005f9f4fd4a41fa257b',1722588600,19937,'ketamine','iv',36.3,72.6,'clinic','82c86503482b46ebebb32a6b8f00615f');
INSERT INTO "administration" VALUES('3243bb4ba069222e20465121bf1c440f','6e16ed2558f67005f9f4fd4a41fa257b',1722840600,19940,'ketamine','iv',36.2,72.5,'clinic','d803f0d85626c6c15c7a504e4aa12be0');
INSERT INTO "administration" VALUES('7bec45d75f74ad588b284ad523fc80fa','6e16ed2558f67005f9f4fd4a41fa257b',1723202100,19944,'ketamine','iv',36.5,73.1,'clinic','8b201aedf6bc8e578f4905c791b9487b');
INSERT INTO "administration" VALUES('40f9bab0052f5b4b77f3a6b3008c5fe1','6e16ed2558f67005f9f4fd4a41fa257b',1723461600,19947,'ketamine','iv',36.4,72.8,'clinic','13ab95ba38d8e16749a03295129c8b61');
INSERT INTO "administration" VALUES('d94493de916ff25245f7071385212ec0','6e16ed2558f67005f9f4fd4a41fa257b',1723810800,19951,'ketamine','iv',36.2,72.5,'clinic','89d39529dd2f225344c28a38dd8543f6');
INSERT INTO "administration" VALUES('da9ac22309f621569c2aed861bd0f8c2','6e16ed2558f67005f9f4fd4a41fa257b',1724060700,19954,'ketamine','iv',36.8,73.5,'clinic','553c15ed1173a87b5bf9f8e04118e2a1');
INSERT INTO "administration" VALUES('e57d5d9a988a1b9e9e79c3ea5a343191','6e16ed2558f67005f9f4fd4a41fa257b',1724404800,19958,'ketamine','iv',36.5,72.9,'clinic','446a14bae6c578ea22425326c351b69d');
INSERT INTO "administration" VALUES('575de1d28b007c463ecf334f8a5cbe75','6e16ed2558f67005f9f4fd4a41fa257b',1724662800,19961,'ketamine','iv',36.7,73.4,'clinic','e428cb8463bb4e1b9261b2df31ad8b13');
INSERT INTO "administration" VALUES('d575a170cc04d39e6c48bbc82dd9d7ee','6e16ed2558f67005f9f4fd4a41fa257b',1725263700,19968,'ketamine','iv',36.4,72.7,'clinic','3378ab6a55b5e2e5588c42ca1b2d2e49');
INSERT INTO "administration" VALUES('3176878c5db0a6b9ca0b9ba9c7ca479a','6e16ed2558f67005f9f4fd4a41fa257b',1725880500,19975,'ketamine','iv',36.8,73.6,'clinic','e7bdfede0f76aeff5b736e5da804e506');
INSERT INTO "administration" VALUES('a59f5ffe85c784bdae448f5bec5c49c4','6e16ed2558f67005f9f4fd4a41fa257b',1726486800,19982,'ketamine','iv',36.3,72.6,'clinic','c674c3aec761fe44e467e4a2d4af557c');
INSERT INTO "administration" VALUES('902eeb1d88e01c505221ae57e8db5adb','6e16ed2558f67005f9f4fd4a41fa257b',1727091900,19989,'ketamine','iv',36.6,73.2,'clinic','58cffc08481e1fb33441bdb13b243bfb');
INSERT INTO "administration" VALUES('8f489e115d35b2c8a12628bb5ae3bbe7','6e16ed2558f67005f9f4fd4a41fa257b',1728295500,20003,'ketamine','iv',36.6,73.3,'clinic','6a6075f0a0f7aea771962a149c983465');
INSERT INTO "administration" VALUES('ed0ff15506ba09cf64e688e8cd2308f1','6e16ed2558f67005f9f4fd4a41fa257b',1729502700,20017,'ketamine','iv',36.5,73.0,'clinic','ca78c1bb257c29983ec3c55bc0c30807');
INSERT INTO "administration" VALUES('e679772401b1fd5477e65225d85e7e2b','6e16ed2558f67005f9f4fd4a41fa257b',1730631900,20030,'ketamine','iv',36.7,73.4,'clinic','6081f7d1ca5a3c96d8f5415705ee0602');
INSERT INTO "administration" VALUES('5766f9f3a28483306232b420b5a6f9c1','dcf2ce9d3d62330dd052b899c20c35b6',1721049300,19919,'ketamine','iv',40.0,53.3,'clinic','c74f4ebc63e5babe74dcbb54bb0f310f');
INSERT INTO "administration" VALUES('e70130914ba49c802ebaaaba39b5ac2e','dcf2ce9d3d62330dd052b899c20c35b6',1721298600,19922,'ketamine','iv',39.8,53.1,'clinic','c67bbfc34458669ad68a266f43055561');
INSERT INTO "administration" VALUES('5da0e24ba596d289ab917b875a841ff0','dcf2ce9d3d62330dd052b899c20c35b6',1721652600,19926,'ketamine','iv',40.9,54.5,'clinic','fc28ae58d94b1d4c6ca56030e68179aa');
INSERT INTO "administration" VALUES('5e445715d91cd9bdb203e2206b1c9638','dcf2ce9d3d62330dd052b899c20c35b6',1721913000,19929,'ketamine','iv',40.4,53.9,'clinic','1f1fe292e24a023d56eb0dea7c9f944a');
INSERT INTO "administration" VALUES('83dd9d47cf3850c95b93623a5a26a631','dcf2ce9d3d62330dd052b899c20c35b6',1722262800,19933,'ketamine','iv',53.0,53.0,'clinic','37b9274b5501e498a0a5a77bc45afcc6');
INSERT INTO "administration" VALUES('c06724942a942f96de4b98e938a6bd97','dcf2ce9d3d62330dd052b899c20c35b6',1722493800,19936,'ketamine','iv',53.4,53.4,'clinic','05153002af96ef3567c6f17b76ecccc4');
INSERT INTO "administration" VALUES('dbafddf8f4e4a0851ba9ba28e59d9da2','dcf2ce9d3d62330dd052b899c20c35b6',1722838800,19940,'ketamine','iv',53.6,53.6,'clinic','cfa421dd9d03009d356e047e92fab1ba');
INSERT INTO "administration" VALUES('6ad6f2cc93194a0ba474391ec70ab075','dcf2ce9d3d62330dd052b899c20c35b6',1723111800,19943,'ketamine','iv',54.1,54.1,'clinic','2a2c98824a37ad7df248ba9b839620d9');
INSERT INTO "administration" VALUES('5de67a8d60590c4df78de7c211a611ba','dcf2ce9d3d62330dd052b899c20c35b6',1723795500,19951,'ketamine','sublingual',25.0,53.6,'clinic','dd7e5399663c5439ac683d23d69a7d15');
INSERT INTO "administration" VALUES('8d96526bd2b8f36a0b13c6b5dbfa07ad','dcf2ce9d3d62330dd052b899c20c35b6',1724449200,19958,'ketamine','sublingual',25.0,53.8,'home-unsupervised','195f9ab7e9f9ca11bd472da4f5cb37ad');
INSERT INTO "administration" VALUES('4667f532abfaa8a2835c96b26b7f3887','dcf2ce9d3d62330dd052b899c20c35b6',1724969100,19964,'ketamine','sublingual',25.0,53.6,'home-unsupervised','825b51e38ccf94323d1bc2da049f93ae');
INSERT INTO "administration" VALUES('f187e498ddcc7bdf8e14e53b455e3cbd','dcf2ce9d3d62330dd052b899c20c35b6',1725642600,19972,'ketamine','sublingual',25.0,52.8,'home-unsupervised','8677a253f362c567c4c36676490dc616');
CREATE TABLE adverse_event (
	id VARCHAR(64) NOT NULL, 
	patient_id VARCHAR(64) NOT NULL, 
	at_s BIGINT NOT NULL, 
	day INTEGER NOT NULL, 
	event VARCHAR(32) NOT NULL, 
	severity VARCHAR(16) NOT NULL, 
	serious BOOLEAN NOT NULL, 
	outcome VARCHAR(32) NOT NULL, 
	administration_id VARCHAR(64), 
	row_hash VARCHAR(64) NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(patient_id) REFERENCES patient (id)
);
INSERT INTO "adverse_event" VALUES('1cec5012038e124561396bc4f209631c','1d7f78ce2280563f13b335158723ac55',1736416740,20097,'dissociation','mild',0,'recovered','39d8399245bb2549388cb45bf8c43815','fc654b26f7c845d3341e2e277130539b');
INSERT INTO "adverse_event" VALUES('f4d4401e4831d2281d958cfeac4c11da','1d7f78ce2280563f13b335158723ac55',1736418780,20097,'sedation','mild',0,'recovered','39d8399245bb2549388cb45bf8c43815','065c0f61db1b32cd0d95a982ca437c62');
INSERT INTO "adverse_event" VALUES('4db5f12c276b92e525d47d54fd00d49a','1d7f78ce2280563f13b335158723ac55',1736678520,20100,'dissociation','mild',0,'recovered','0b977f6c3e114d0fa0100d08912d8129','3a6738dc7ec0ca145fcbb21c5b8f8056');
INSERT INTO "adverse_event" VALUES('1c08d757951fd5946308ad38b006fde6','1d7f78ce2280563f13b335158723ac55',1736681220,20100,'nausea','mild',0,'recovered',NULL,'14bb58ee8afb7c6c3d5e37a93acd8672');
INSERT INTO "adverse_event" VALUES('978bf1dae9aea6cd048414c5382f9092','1d7f78ce2280563f13b335158723ac55',1737036660,20104,'dissociation','moderate',0,'recovered','3349a106b7614e51dca8bd207b1ccc8a','23dabc3cc59ff678a28b964cd67f1b10');
INSERT INTO "adverse_event" VALUES('f87100af78004ed9feaa2af7db3148aa','1d7f78ce2280563f13b335158723ac55',1737621960,20111,'dizziness','mild',0,'recovered','306521e285f3e0f845d619c14e86afbc','f22097bed3980d20621e8327cf183b61');
INSERT INTO "adverse_event" VALUES('8c2bca3ae4020efc8edefd99af439474','1d7f78ce2280563f13b335158723ac55',1738246620,20118,'dissociation','mild',0,'recovered','5cbf37f684735c3e42aa8c36d4113bec','fd21901fef316d7082dcc988f2dfcb68');
INSERT INTO "adverse_event" VALUES('b8d09d26dd594e6d0407ba05473a80ef','1d7f78ce2280563f13b335158723ac55',1738488840,20121,'hypertension','mild',0,'recovered','7769e34acd74717ff4e32b0ce4ecf537','80b09ebe2348c1d833369650874ab24a');
INSERT INTO "adverse_event" VALUES('e3db28905aad1dc1462db06915f6e496','dc5313d9aa6cc13ff052450d50565c3e',1702553940,19705,'vomiting','mild',0,'recovered','97acbb741fd34fa062f256c2a712086b','a7f6ef16402c031671f8ae276823be97');
INSERT INTO "adverse_event" VALUES('7ada935494dfe59391301d059c723f3a','dc5313d9aa6cc13ff052450d50565c3e',1702827180,19708,'dizziness','mild',0,'recovered','cb4cc355333401fc8de2885e8e9c9e51','70eb668ed7306992a60465caf41ccdb0');
INSERT INTO "adverse_event" VALUES('f762c346610c1d0a58da21a7b339110c','dc5313d9aa6cc13ff052450d50565c3e',1702827900,19708,'dissociation','mild',0,'recovered','cb4cc355333401fc8de2885e8e9c9e51','e5123ec1ff55a118b8f0c3fbe88e8c91');
INSERT INTO "adverse_event" VALUES('efb487f86c945f7f89ced3d6c6e14675','dc5313d9aa6cc13ff052450d50565c3e',1702831860,19708,'nausea','mild',0,'recovered','cb4cc355333401fc8de2885e8e9c9e51','8222f8a9936d9cb95a86761f726c0f4f');
INSERT INTO "adverse_event" VALUES('c8fecd8254736536d32a1c0cf7987493','dc5313d9aa6cc13ff052450d50565c3e',1703188080,19712,'headache','moderate',0,'recovered','d9407c85c6ab2492eeeecf61472955bb','8822f01fbad53e7b638192495eacf852');
INSERT INTO "adverse_event" VALUES('ca72b8423d6c3055f4c81e76bdf5ba0d','dc5313d9aa6cc13ff052450d50565c3e',1703423040,19715,'sedation','mild',0,'recovered','e838b41788dff6b9efa90ad1d7fee2bd','0bec477c5443d3f5f4801df272aca1e0');
INSERT INTO "adverse_event" VALUES('3ca26834127525ee1492f2b955e5b2cb','dc5313d9aa6cc13ff052450d50565c3e',1703423100,19715,'dizziness','mild',0,'recovered',NULL,'fcaee34d72fa04a81cfb85305f921180');
INSERT INTO "adverse_event" VALUES('e04f4e48b8452de1bd57c08baa0aad1d','dc5313d9aa6cc13ff052450d50565c3e',1703425200,19715,'nausea','mild',0,'recovered','e838b41788dff6b9efa90ad1d7fee2bd','d11fd2843a6c10379a30ebd68da16a74');
INSERT INTO "adverse_event" VALUES('7141f49b07ac644f3151197e5d7c725d','dc5313d9aa6cc13ff052450d50565c3e',1703427720,19715,'vomiting','moderate',0,'recovered','e838b41788dff6b9efa90ad1d7fee2bd','9b7ff9f0c31d89445298af8032f49c81');
INSERT INTO "adverse_event" VALUES('f85ca3f7e0400cd0515b06c2315d3901','dc5313d9aa6cc13ff052450d50565c3e',1703428440,19715,'headache','moderate',0,'recovered','e838b41788dff6b9efa90ad1d7fee2bd','58a6be4598d710232cdb403498aa8773');
INSERT INTO "adverse_event" VALUES('7d424f89158434ac7a8182bf57d85c79','dc5313d9aa6cc13ff052450d50565c3e',1703749080,19719,'dissociation','severe',0,'recovered',NULL,'a95f16aec6f1ee51a4b789aa8a761cbe');
INSERT INTO "adverse_event" VALUES('59f479b2b3aaee31c0bbb21b66cd2c6d','dc5313d9aa6cc13ff052450d50565c3e',1703751300,19719,'sedation','mild',0,'recovered','b8a3114d56800d62866bc4956f508d3a','ac7fe8294050ab37ac27011c0c6e5135');
INSERT INTO "adverse_event" VALUES('3da6c295285b8469511862fb9ab2bece','dc5313d9aa6cc13ff052450d50565c3e',1704045780,19722,'dissociation','moderate',0,'recovered','adb09d41caad8b9952d84a71d3663af0','5744462d1312efaddc3beaf6aa2a1c70');
INSERT INTO "adverse_event" VALUES('b259cb4195118c1a44c2f7317e21fc69','dc5313d9aa6cc13ff052450d50565c3e',1704394020,19726,'dissociation','mild',0,'unknown','ee9f7dcd8b4fe970156de4a4822b4e8e','66aef1abd034c23c857fdfae05b39909');
INSERT INTO "adverse_event" VALUES('ab775a71fba6574cf98c60d8987acb0f','dc5313d9aa6cc13ff052450d50565c3e',1704395280,19726,'nausea','mild',0,'recovered','ee9f7dcd8b4fe970156de4a4822b4e8e','384c12d5d8cbf1deb5b169efd1e3a5fb');
INSERT INTO "adverse_event" VALUES('818e57d753f7dbc7f205d949fd6b0738','dc5313d9aa6cc13ff052450d50565c3e',1704651240,19729,'sedation','mild',0,'recovered','afb6ba0cc6dbd4cc6854cd3cc949f14f','c53fc724eb45dd1c17cfa684c0d97534');
INSERT INTO "adverse_event" VALUES('09dda3b25358cf1000da4b72d4bf05e1','dc5313d9aa6cc13ff052450d50565c3e',1705226280,19736,'dissociation','severe',0,'recovered','d985b791060acd1bf5feb8965ec1a151','019cbace9e67b35d25d88a48990ae3f5');
INSERT INTO "adverse_event" VALUES('0fdcb3c7ff7dca7f22a2ba1a0e9dabcd','dc5313d9aa6cc13ff052450d50565c3e',1705230660,19736,'nausea','moderate',0,'recovered',NULL,'70e172ef82acb087343d1409020e4393');
INSERT INTO "adverse_event" VALUES('e950759b7aa33776c68eed7a04056bb9','dc5313d9aa6cc13ff052450d50565c3e',1705838820,19743,'dissociation','mild',0,'recovered','aa7b9f71bb508844f660994c9919b01e','e7525f49ec7f1d3911cc6367bf0ba439');
INSERT INTO "adverse_event" VALUES('1f1671511df8803c3b6b4e4207d9a305','dc5313d9aa6cc13ff052450d50565c3e',1705839480,19743,'sedation','mild',0,'recovered','aa7b9f71bb508844f660994c9919b01e','0f84cce831551ac1af54343d4f6c59dd');
INSERT INTO "adverse_event" VALUES('1e956216222dbc652c61c7c628736ebf','dc5313d9aa6cc13ff052450d50565c3e',1705841220,19743,'headache','mild',0,'recovered',NULL,'5443d224ac8358e187065ffba77a3c64');
INSERT INTO "adverse_event" VALUES('f72cb445ce6d6c30c14caaa4fc837486','dc5313d9aa6cc13ff052450d50565c3e',1706440740,19750,'dizziness','moderate',0,'recovered',NULL,'90ae4ad91257ee8f55194aa3823bef3d');
INSERT INTO "adverse_event" VALUES('5347544917a17031bb0df64ce2f415ae','dc5313d9aa6cc13ff052450d50565c3e',1706441880,19750,'sedation','mild',0,'recovered','b3ef2df701765ce0c053332f48e677dc','65c97c144109dc514d189073f9c5d1db');
INSERT INTO "adverse_event" VALUES('e3f396ad17b46c68d3549f15d17c3f51','dc5313d9aa6cc13ff052450d50565c3e',1707046980,19757,'dissociation','mild',0,'recovered','1572d6247c5156fbe22e748dcac410ef','c8a67c389ba115fce1c6f7c52404f5e1');
INSERT INTO "adverse_event" VALUES('cd5227aca780614880418b81c335abe1','dc5313d9aa6cc13ff052450d50565c3e',1707664260,19764,'sedation','mild',0,'unknown','66c16cc08cbb474a1459f56da9396051','bf071054998f2d2c9634c7cbec2f02e5');
INSERT INTO "adverse_event" VALUES('7d3f8af0f7104896a9e1f646c76be074','dc5313d9aa6cc13ff052450d50565c3e',1707664620,19764,'dizziness','moderate',0,'unknown',NULL,'59534e85eedca047fc7a12c144304c2c');
INSERT INTO "adverse_event" VALUES('00bde7c0ffa716b656561045c2dbb74e','dc5313d9aa6cc13ff052450d50565c3e',1707673020,19764,'headache','mild',0,'recovered','66c16cc08cbb474a1459f56da9396051','7fbc71dd65f7e1a7818db488c7ce91f4');
INSERT INTO "adverse_event" VALUES('c23ab60fd08c042a612ce0c0264f36b8','dc5313d9aa6cc13ff052450d50565c3e',1708261140,19771,'dizziness','moderate',0,'recovered','cd353af323d6f7a5aa3bbe6fc30fddfd','28ab18910a8d19548427f64498cea26c');
INSERT INTO "adverse_event" VALUES('260ed6785145bdc049b30855eb3591dc','dc5313d9aa6cc13ff052450d50565c3e',1708262400,19771,'sedation','moderate',0,'recovered','cd353af323d6f7a5aa3bbe6fc30fddfd','aaf21b645ed6f67039501f2dfc756124');
INSERT INTO "adverse_event" VALUES('f15350ba20e917633f987447c6810ca1','dc5313d9aa6cc13ff052450d50565c3e',1708264380,19771,'vomiting','moderate',0,'recovered','cd353af323d6f7a5aa3bbe6fc30fddfd','6d0ef637cc62a96d3c5a6591f63570dc');
INSERT INTO "adverse_event" VALUES('8b46f51f39f95215adea4d7490cb4ca8','dc5313d9aa6cc13ff052450d50565c3e',1708849620,19778,'dissociation','mild',0,'recovered','69cd2a40d0af4b8ff8a1107667e7c8b0','51519e1c087a8baabc56e68147e68a2f');
INSERT INTO "adverse_event" VALUES('fa064a5755fce8b02d64950aa9ee9a42','dc5313d9aa6cc13ff052450d50565c3e',1710844620,19801,'dissociation','mild',0,'recovered','5e67d6b0d68b687288b10f9611a01a0b','6f23b0b6c2885e0316d113284296665d');
INSERT INTO "adverse_event" VALUES('5a2a7dce6dcfb8b4fe631d5437cc22d4','dc5313d9aa6cc13ff052450d50565c3e',1710844740,19801,'sedation','mild',0,'recovered','5e67d6b0d68b687288b10f9611a01a0b','db5dd2f41497ad377fad92ac4dddec39');
INSERT INTO "adverse_event" VALUES('f682c752c14c42ab679f9700c5ec95fe','dc5313d9aa6cc13ff052450d50565c3e',1710845520,19801,'dizziness','mild',0,'recovered','5e67d6b0d68b687288b10f9611a01a0b','4398bdb7ec19037cae2a0d5efe7b0305');
INSERT INTO "adverse_event" VALUES('d85a03614abfcde4839d97f0c45ae792','dc5313d9aa6cc13ff052450d50565c3e',1712053920,19815,'dissociation','moderate',0,'recovered','6eb687d2c28a840437f6dae887752373','a70fddc4c08ed4c3b95921ed50e96235');
INSERT INTO "adverse_event" VALUES('2fccae0fd1d5812c713a728acc2fe5e0','dc5313d9aa6cc13ff052450d50565c3e',1712743320,19823,'dissociation','mild',0,'recovered','50de463a4eeae75fdc15c402e726a909','8cd04c1c286a770b8128f170809ed822');
INSERT INTO "adverse_event" VALUES('d1e1e2523aaa0e78fc116a6f70968cc7','dc5313d9aa6cc13ff052450d50565c3e',1712743320,19823,'sedation','mild',0,'unknown','50de463a4eeae75fdc15c402e726a909','204af36ed81b8a69766edcbf87c2292c');
INSERT INTO "adverse_event" VALUES('8eb20b65fd42b1b795e52b79ad8cd6a9','dc5313d9aa6cc13ff052450d50565c3e',1715263740,19852,'sedation','mild',0,'recovered','d2e3e7b63099af9e475aaf815b009a10','93b5c843cc3b9321e20b8aa3e8c8dfb5');
INSERT INTO "adverse_event" VALUES('4aff094945562449196608e2280cc2df','dc5313d9aa6cc13ff052450d50565c3e',1716454920,19866,'dizziness','mild',0,'recovered','d165cb3e4cbf2e5ce1e0c87b37aafdfc','3263553553e7cf1d05056e08edcead57');
INSERT INTO "adverse_event" VALUES('fe36ca9b312493fedfe8cea92ffa9a92','dc5313d9aa6cc13ff052450d50565c3e',1716455340,19866,'dissociation','mild',0,'recovered','d165cb3e4cbf2e5ce1e0c87b37aafdfc','6ddb736a8484340284f38cd102f6e06c');
INSERT INTO "adverse_event" VALUES('5837ffd6fd4cde1963b2f2918912f70c','dc5313d9aa6cc13ff052450d50565c3e',1716456660,19866,'nausea','mild',0,'recovered',NULL,'93100d1f0c2646cec50df280e80fad0f');
INSERT INTO "adverse_event" VALUES('79e7521b7da33c004453fb91b19909ff','dc5313d9aa6cc13ff052450d50565c3e',1716466320,19866,'headache','moderate',0,'recovered','d165cb3e4cbf2e5ce1e0c87b37aafdfc','f585169d9cb3e0efd6dc9fd17d299b96');
INSERT INTO "adverse_event" VALUES('1869530fa82d3f2c705a74b5b0133fa2','dc5313d9aa6cc13ff052450d50565c3e',1717657440,19880,'dizziness','mild',0,'recovered','c76d93dced79118bca131f3ba7758a64','cc800a98d12e208dbdfe01ccaf5cc903');
INSERT INTO "adverse_event" VALUES('de5d100e33fb7d331270d000331ea733','dc5313d9aa6cc13ff052450d50565c3e',1718284260,19887,'sedation','mild',0,'recovered','37be16f43551466f314b564a0b8696a2','19ea3d90630734d7ba8c89f141616e0c');
INSERT INTO "adverse_event" VALUES('697c2989b79fbe57ad9c2ee4e8874eb2','dc5313d9aa6cc13ff052450d50565c3e',1718890020,19894,'nausea','mild',0,'recovered','296e2caac44faa115f679e9d5a6119a5','3c58d467c0ad536e056244e1627af65c');
INSERT INTO "adverse_event" VALUES('67b0c1d383bf99dbe094c99aecbea7e5','dc5313d9aa6cc13ff052450d50565c3e',1719473040,19901,'dizziness','moderate',0,'recovered','2d050a8c398862fe256a5887c5a53b20','71b9058a9745f340ab3beec7918ecb76');
INSERT INTO "adverse_event" VALUES('52901be1dc41f3ad522e89cefc21f316','dc5313d9aa6cc13ff052450d50565c3e',1720010280,19907,'dissociation','moderate',0,'recovered','de22f90e6fc8ac63914757b5d9531a8b','c0e45c090004f809069f4d5c150698d0');
INSERT INTO "adverse_event" VALUES('c24e4fcff239423db6d603acb1131157','dc5313d9aa6cc13ff052450d50565c3e',1720602360,19914,'sedation','moderate',0,'recovered','d67d7bfa01eba0c025b6112e456b3636','30695ad4b111593470e8449c1b82da17');
INSERT INTO "adverse_event" VALUES('e209c0786457be9efc8c4117deb32e0d','dc5313d9aa6cc13ff052450d50565c3e',1720603380,19914,'dizziness','mild',0,'recovered','d67d7bfa01eba0c025b6112e456b3636','449f7e3a0ef55cc03505be860c292a71');
INSERT INTO "adverse_event" VALUES('abbd17071b65a58cd4e7bb968733f6d4','dc5313d9aa6cc13ff052450d50565c3e',1720603740,19914,'hypertension','moderate',0,'recovered','d67d7bfa01eba0c025b6112e456b3636','aa3086a8d65e3bbc464e0c6bcc4f5d1c');
INSERT INTO "adverse_event" VALUES('f093374c62201b7c2b9a1f5089eee7b9','dc5313d9aa6cc13ff052450d50565c3e',1721223180,19921,'hypertension','moderate',0,'recovered','89c17294161fe040f5c208327fa03ecd','c9bc835e5f84ee6b236b10ce9e66e05d');
INSERT INTO "adverse_event" VALUES('aab584483c744cbe454bec79e73aa251','dc5313d9aa6cc13ff052450d50565c3e',1721227860,19921,'nausea','mild',0,'recovered','89c17294161fe040f5c208327fa03ecd','1c53e702d95592a5f7fd74ad735c5514');
INSERT INTO "adverse_event" VALUES('a7997885f4d30194647cf603bc4cfe95','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1718450160,19889,'dissociation','moderate',0,'recovering',NULL,'1a1e01f8970810c5664bdfec8e25bc4a');
INSERT INTO "adverse_event" VALUES('223b75c598f27b2979fc4e64023f716d','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1718451120,19889,'sedation','mild',0,'recovered','4f93dd2a026c58312a07f8cf1a0ca7c1','7813d1b19d91a6f46eb0b5345d3e8e41');
INSERT INTO "adverse_event" VALUES('90374b4910723341b31999ceb9a6ef5f','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1718627100,19891,'dissociation','mild',0,'recovered','fff8bbb15c5716d8072adc21635f6b7b','f437450d0e55f811c99a5087657190b0');
INSERT INTO "adverse_event" VALUES('42b4e455860c6b0976125cda47a8f5fe','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1719049920,19896,'sedation','severe',0,'recovered','ba38dcdab293fe1ab42fe5564e67f3e9','670e811e1a14f8630417ce30792b37f2');
INSERT INTO "adverse_event" VALUES('96224616219c9265b6f499631cafbc99','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1719050220,19896,'dissociation','mild',0,'recovered','ba38dcdab293fe1ab42fe5564e67f3e9','b70401e2afc085b4d7069271d0dc2c3d');
INSERT INTO "adverse_event" VALUES('33bc5d06c733a7a0d9cd12f7764e5229','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1719226500,19898,'dissociation','severe',0,'recovered','e69242b15bbbcd0cb33c2125acb342d0','b38de8542106b30b2bb7f60cdaf1a2a5');
INSERT INTO "adverse_event" VALUES('ff413903e05a7a496f7f3a5fab5694eb','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1719227220,19898,'hypertension','mild',0,'recovered','e69242b15bbbcd0cb33c2125acb342d0','f936f156d52cdd3f8e84d26738b408e8');
INSERT INTO "adverse_event" VALUES('0c841f4ca24cd1eb27a2c62e9d7e0599','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1719739680,19904,'nausea','severe',0,'recovered','e280a3a0fb2de8dfa79e21e053e15865','9aef1c5a975c280af8568f0341a368ba');
INSERT INTO "adverse_event" VALUES('723537fa00de56fc4e3d3127206fd4b4','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1719918540,19906,'sedation','mild',0,'recovered','eeb0756093fc9fe106c3a606d3a87051','203c8e0248fc8b6915b5a162bdfa3579');
INSERT INTO "adverse_event" VALUES('920726fafc178357e56aca8fca32bdc7','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1720009980,19907,'dissociation','moderate',0,'recovered','2fa49919b96ecc33fd69291ae5746107','f5d920b51dac6d934ce7d019474d3c4b');
INSERT INTO "adverse_event" VALUES('91877886eec1c2e0845b605f22cff716','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1720009980,19907,'dizziness','mild',0,'recovered','2fa49919b96ecc33fd69291ae5746107','0879a5648d2b11a95fae27bebe479ba6');
INSERT INTO "adverse_event" VALUES('6ec7284eba60d01d15ad2331568a2b16','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1720181100,19909,'dizziness','mild',0,'recovered',NULL,'c21948450b9a268940a3dcfc3ebee13e');
INSERT INTO "adverse_event" VALUES('990eb170adafff8d887385e1a834630e','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1720184580,19909,'headache','moderate',0,'recovered','93ce53f80fe5fe60c1b6149cda36885d','1ad58031faf6169256f0e101cd37237a');
INSERT INTO "adverse_event" VALUES('f999f997e19fb324205ebcc53366aa28','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1720871880,19917,'hypertension','mild',0,'recovered','7cf9afbb0e33666e6d3420c51d4be6e2','7c950bcceada5e23a7d6ae616fb71004');
INSERT INTO "adverse_event" VALUES('13413ac85ec4b7a2d9f87e353c7b620c','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1720873260,19917,'sedation','moderate',0,'recovered','7cf9afbb0e33666e6d3420c51d4be6e2','d7af96f0c547d49bc8d7b6c3cfbc11d9');
INSERT INTO "adverse_event" VALUES('a084e2bf441581d7b8e7839af8a85549','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1721470500,19924,'hypertension','mild',0,'recovering','cead1f27e128b753144d70098a66f87e','8bed8ecbfdd0a47e7fb51f71eaa06c17');
INSERT INTO "adverse_event" VALUES('f9c2ed57b5b39073264cb047c826d557','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1721482020,19924,'headache','mild',0,'recovered','cead1f27e128b753144d70098a66f87e','bc0c91af8a29534b059be8152c1953b2');
INSERT INTO "adverse_event" VALUES('50effc83afc0f7894b33d2534609de08','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1722685080,19938,'dissociation','severe',0,'recovered','45c5a59fe42fdbf74abe083eeb6b6b29','51938cb39e05bb2d79d32f8a30f7679a');
INSERT INTO "adverse_event" VALUES('71c181fb9c4b06c57665ff4ab1237404','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1722685320,19938,'vomiting','moderate',0,'recovered','45c5a59fe42fdbf74abe083eeb6b6b29','4024814dc62b02c3e7b7f56bffef6fae');
INSERT INTO "adverse_event" VALUES('06231ef4ce7dcb430bc6f7fef5af3c0f','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1722687480,19938,'headache','mild',0,'recovered','45c5a59fe42fdbf74abe083eeb6b6b29','35ded75be998fc6b0f0e0bb29dc953a1');
INSERT INTO "adverse_event" VALUES('0d7245ee7b627075c6ea332ff4abcf86','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1723980960,19953,'dissociation','moderate',0,'recovered','eba666c823296bbfd55edd09f9259b9d','d490d2f8ec5668297593cccd77838dbb');
INSERT INTO "adverse_event" VALUES('9f054ad3a0582841f765a99a0a65b6c0','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1725177060,19967,'dissociation','mild',0,'recovered','3a015f7244ee20ba805ddc50642d0e58','19139c2a136c3540c6d0dacd38eb6fbe');
INSERT INTO "adverse_event" VALUES('1be3e5ff67788b525f58631922067cdc','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1725177480,19967,'sedation','mild',0,'recovered','3a015f7244ee20ba805ddc50642d0e58','7c245ac234c64d4a7d8a73a945f65293');
INSERT INTO "adverse_event" VALUES('93dfc478d26f67f057e09c16b0e80a03','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1725179220,19967,'dizziness','mild',0,'recovered','3a015f7244ee20ba805ddc50642d0e58','16efc04799a58bc6030c946392df867f');
INSERT INTO "adverse_event" VALUES('ad7c6497961cc7c8758bcebaae78712b','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1725184860,19967,'headache','moderate',0,'recovered','3a015f7244ee20ba805ddc50642d0e58','c9aa4435b11bcec1be5e0a2857c0ceac');
INSERT INTO "adverse_event" VALUES('e3c2dae90dc37b249baca17bfc60cdb0','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1726474080,19982,'sedation','mild',0,'recovered',NULL,'619e7a18ecba9034b4f4cb80886a85ea');
INSERT INTO "adverse_event" VALUES('9a7d9aed72df1e7f0b02e1f4fc4ff961','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1726479660,19982,'headache','mild',0,'recovered','b6e9975d3dc177cd9c657f1b7293e142','829d17d997fd196aae89bd1c56a297b5');
INSERT INTO "adverse_event" VALUES('c48aca5845cb1520c143c36c56c7570a','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1727691600,19996,'dissociation','mild',0,'recovered','2ad887edc8d2c1a82ddeaade84ac26ea','38096bd2819946c5a01b57d0e71207f9');
INSERT INTO "adverse_event" VALUES('3aad1d32549e78a38eec5f29d5064b57','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1727692140,19996,'headache','mild',0,'recovered','2ad887edc8d2c1a82ddeaade84ac26ea','1c5a05efcbdbf822517c178db480d99c');
INSERT INTO "adverse_event" VALUES('8af60282dbd2baabd9adf593f146f569','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1727692740,19996,'sedation','moderate',0,'recovered','2ad887edc8d2c1a82ddeaade84ac26ea','cc599757afddb4b96457df1a99140b0e');
INSERT INTO "adverse_event" VALUES('93e087c3e3ada7ede0ecedc5702eb544','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1727693760,19996,'nausea','mild',0,'recovered',NULL,'25109ec271efe8dfe93080e357fb65eb');
INSERT INTO "adverse_event" VALUES('d7a9de3bd76b8200b77225279629f23e','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1728983580,20011,'dissociation','mild',0,'recovered','577e5dbeac1a985bcdc2b164eaeeba61','5d8990fc1227b9d15dab2ef0569ad434');
INSERT INTO "adverse_event" VALUES('8f68c34b9176e33312bce06ed948739d','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1728983640,20011,'sedation','mild',0,'recovered','577e5dbeac1a985bcdc2b164eaeeba61','85a86750632417c9cfe2a93f33afac61');
INSERT INTO "adverse_event" VALUES('621edd7b4929ebf6acabde1ee5290710','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1728984120,20011,'nausea','mild',0,'recovered','577e5dbeac1a985bcdc2b164eaeeba61','e14b84c77240a3504727d117893d170d');
INSERT INTO "adverse_event" VALUES('9b33fc6792779c354387d256cfc320f6','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1730200500,20025,'dissociation','mild',0,'recovered','486b26b65af67ce0f17e22d1a3370687','53ed03b7d63739ab6a6d9f69ff4f612a');
INSERT INTO "adverse_event" VALUES('e5cfd9885a3208e2cc22e9f69a12ea62','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1730202960,20025,'headache','mild',0,'recovered','486b26b65af67ce0f17e22d1a3370687','28fd0b7d24638c7d30a8ab201ccf00a6');
INSERT INTO "adverse_event" VALUES('f6b06d098cabe505229769b9076685b8','7ef052062cce261974488a1855a1bf9e',1729953780,20022,'sedation','moderate',0,'recovered','f7796a5448c52ea26c626d680d57089a','4ea38f82b13af9a1b48b9925219c15d9');
INSERT INTO "adverse_event" VALUES('94f702e3bf2483ebe34da00313cd6513','7ef052062cce261974488a1855a1bf9e',1730192580,20025,'dissociation','mild',0,'recovered','9d00c7bbafce9b01ad46f70f1ef06e29','f3595e886748d666d1c287f5a1588281');
INSERT INTO "adverse_event" VALUES('7e6acdbf693d0a65dd438e2243df96e1','7ef052062cce261974488a1855a1bf9e',1730504700,20028,'sedation','mild',0,'recovered','17af751ee88f3e5fb757076b01ac1522','583541d17b00a09dfc3f20ead894f432');
INSERT INTO "adverse_event" VALUES('46058bbbfa075ea08f14c51424e13d3a','7ef052062cce261974488a1855a1bf9e',1730801100,20032,'dissociation','mild',0,'recovered','662998cf3550e20eb131e7da233ff490','68eaf16cbb1463e1a6607cf340836cde');
INSERT INTO "adverse_event" VALUES('3c691313f6c2967a615c160d9bdb2976','7ef052062cce261974488a1855a1bf9e',1731108180,20035,'sedation','mild',0,'recovered','81385e8fe43435cf51acd2c01757ebee','1e54688d4e6d8502cc864c473daa2697');
INSERT INTO "adverse_event" VALUES('93012bd8c5ebb8e6891e166fb3d73d0d','7ef052062cce261974488a1855a1bf9e',1731502380,20040,'dissociation','mild',0,'recovered',NULL,'f048b404d423780f507a31948885930a');
INSERT INTO "adverse_event" VALUES('094851f116f5a1b16264208d6f8c1b5e','7ef052062cce261974488a1855a1bf9e',1731504300,20040,'sedation','moderate',0,'recovered','cf545527cbbb10ca32bc7ff1fa935c84','9e8cdadd2287e4a90ffca01ad37c7ffb');
INSERT INTO "adverse_event" VALUES('88965326b345afb1a8f34ef56bf67f69','7ef052062cce261974488a1855a1bf9e',1732108260,20047,'sedation','moderate',0,'recovered','ed8bb5cff4d33a7ae0e1cbd925954dc3','16e1d9d8e6454c23a361e0a3160ae7b3');
INSERT INTO "adverse_event" VALUES('5c67637259eee6883d08aaecdf5dede7','7ef052062cce261974488a1855a1bf9e',1732110720,20047,'dizziness','mild',0,'recovered','ed8bb5cff4d33a7ae0e1cbd925954dc3','bb12ac15577b959369d2b960e659675c');
INSERT INTO "adverse_event" VALUES('cdd7dbe3b443ce92b2660d86d66214f1','7ef052062cce261974488a1855a1bf9e',1734959640,20080,'dissociation','mild',0,'recovered','b7f17e2d1bf19fc0e7fcd0b47519e028','3e69453047e65ba0e76e77d92286b957');
INSERT INTO "adverse_event" VALUES('d7eedce72c0be9e6bfc9d08b7fb6b01f','7ef052062cce261974488a1855a1bf9e',1734959760,20080,'sedation','moderate',0,'recovered','b7f17e2d1bf19fc0e7fcd0b47519e028','2d8e1487741d688adc83142d927a7941');
INSERT INTO "adverse_event" VALUES('22e713d5dd11e75515d16612db4bdba9','7ef052062cce261974488a1855a1bf9e',1735567620,20087,'sedation','moderate',0,'recovered','f6c9eb4b6185a90ab48790b8ec21c72e','3d7f8f85fca1a6f857af22c734b3656d');
INSERT INTO "adverse_event" VALUES('cbf6bf6d91f94c49b9836bb42e73c926','7ef052062cce261974488a1855a1bf9e',1736696280,20100,'dizziness','mild',0,'recovered','40e57dd1a8d7f0505662a1e2e9c07b6d','d040c19d44f2bd5a8b16cb5cc8ce6cbe');
INSERT INTO "adverse_event" VALUES('51445e02610df32267e596d3c3af758c','7ef052062cce261974488a1855a1bf9e',1737885120,20114,'dizziness','moderate',0,'recovered','aa178c4534ceeb01f42e2322bd9840d4','3738a7e510fb199871a57fc9781f1bae');
INSERT INTO "adverse_event" VALUES('ac71e64515cb2605d45657be671300b9','7ef052062cce261974488a1855a1bf9e',1737885360,20114,'dissociation','mild',0,'recovered','aa178c4534ceeb01f42e2322bd9840d4','1658eaf4e960e2828f70db3a205bd5b5');
INSERT INTO "adverse_event" VALUES('6c8353652c7abf08ad7bc63016cfd9d8','7ef052062cce261974488a1855a1bf9e',1737885600,20114,'sedation','moderate',0,'recovered','aa178c4534ceeb01f42e2322bd9840d4','3c616b56b4909ab5ff1cdbaab3c7e848');
INSERT INTO "adverse_event" VALUES('afa69187a2583fb78c079be6e6b7fe92','7ef052062cce261974488a1855a1bf9e',1737890520,20114,'nausea','mild',0,'recovered','aa178c4534ceeb01f42e2322bd9840d4','ad9b95f61cb00b5c20f5402e4b7b4260');
INSERT INTO "adverse_event" VALUES('26f86bb7b55c7939cd8fdd639ce7976e','7ef052062cce261974488a1855a1bf9e',1737892140,20114,'headache','moderate',0,'recovered','aa178c4534ceeb01f42e2322bd9840d4','ed1bf107320760886a930dd00f265e61');
INSERT INTO "adverse_event" VALUES('0a05be7e556d2ac193271c83c379a666','7ef052062cce261974488a1855a1bf9e',1739020380,20127,'dissociation','mild',0,'recovered','6220d3249a70d2ce0faf3c1eff22da89','7d647f625351ee5f3ea01a730d359f7a');
INSERT INTO "adverse_event" VALUES('9ed5e90d6017fef0d666bd835b0f1694','7ef052062cce261974488a1855a1bf9e',1740312660,20142,'dizziness','mild',0,'recovered','f3a5c02286f4a98d1dcff47828226330','f21d09f0fdeec736139701b743ba686c');
INSERT INTO "adverse_event" VALUES('0e2aabbc4b4f0c926bed2d074fd99e8d','7ef052062cce261974488a1855a1bf9e',1740313440,20142,'dissociation','mild',0,'recovered','f3a5c02286f4a98d1dcff47828226330','df086ed46f6eb9896252fcd1eae2edd9');
INSERT INTO "adverse_event" VALUES('b377b8802ce8e5248705092f7f03ec9a','7ef052062cce261974488a1855a1bf9e',1741509300,20156,'hypertension','mild',0,'recovered','8e915c06755852a0feca90408082ad2c','2a1fc2a3e3d75cc0e267e063a0798fed');
INSERT INTO "adverse_event" VALUES('1d378e72f2c9609b779c6a1d1896e5aa','7ef052062cce261974488a1855a1bf9e',1741509840,20156,'sedation','mild',0,'recovered','8e915c06755852a0feca90408082ad2c','4a979cef3385b6ace13536f3751f5687');
INSERT INTO "adverse_event" VALUES('fe96e68e394d182e7f66114255c29305','7ef052062cce261974488a1855a1bf9e',1743929160,20184,'dissociation','moderate',0,'recovered',NULL,'893548e79c1d4d26ff21b3004803d462');
INSERT INTO "adverse_event" VALUES('14c9d47a81128714f04cb06e291c7182','7ef052062cce261974488a1855a1bf9e',1743933540,20184,'headache','moderate',0,'recovered','bfdc3383d74905426834a30a4160231b','f524341da28b4cfa4a15bf022e751192');
INSERT INTO "adverse_event" VALUES('75ac8f0e30b2a16e3914627eb4d51899','7ef052062cce261974488a1855a1bf9e',1745156100,20198,'sedation','mild',0,'recovered','08dede874de57a5346bdcf04409bc3d3','9a952f8f6d3c3774cd5e6f0faef4a526');
INSERT INTO "adverse_event" VALUES('c1ee1d3bd57cc5d569bb5049c61fe6b4','7ef052062cce261974488a1855a1bf9e',1746349320,20212,'dissociation','moderate',0,'recovered','45b3438c953a3b02ac15ddc6418d9d4d','a05f86f80958adf5c0a2cf1cd2a183d1');
INSERT INTO "adverse_event" VALUES('7e79da1581a03337acb2590e51ee81ab','7ef052062cce261974488a1855a1bf9e',1746350580,20212,'sedation','mild',0,'recovered','45b3438c953a3b02ac15ddc6418d9d4d','5a8cfb3b21783471974d09c9f5fc0fdb');
INSERT INTO "adverse_event" VALUES('624f4c4a15ee185ad3c518953447a312','7ef052062cce261974488a1855a1bf9e',1748854800,20241,'dissociation','moderate',0,'recovered','19139e3e3c5adefcb7884cde136423e2','24bfca4160883bf07414725ac4d403cd');
INSERT INTO "adverse_event" VALUES('a13c23f0c4e62933d7abd7749be58375','7ef052062cce261974488a1855a1bf9e',1748854920,20241,'hypertension','moderate',0,'recovered','19139e3e3c5adefcb7884cde136423e2','829e0fe9d1120182d3737e71e9a0c4cf');
INSERT INTO "adverse_event" VALUES('f822e4db62a796486177b6e32da8f996','7ef052062cce261974488a1855a1bf9e',1748855220,20241,'sedation','mild',0,'recovered',NULL,'4c2198a1c067f540af64f7f1d93de7a9');
INSERT INTO "adverse_event" VALUES('572002fe8d06c8d09edb474f2b3bbb99','7ef052062cce261974488a1855a1bf9e',1750069440,20255,'dizziness','mild',0,'recovered','b3629878d71eef3fe39c71d462c4e733','6e7389a2867cf7fdaeae2f835d667941');
INSERT INTO "adverse_event" VALUES('9f1b5e09753d015db9e01cb16727f67b','7ef052062cce261974488a1855a1bf9e',1750069620,20255,'dissociation','moderate',0,'recovered','b3629878d71eef3fe39c71d462c4e733','d0e829a6c9c62f4baec94bee7c87f498');
INSERT INTO "adverse_event" VALUES('315e91352aab69bd8814113f70439f0b','7ef052062cce261974488a1855a1bf9e',1751283000,20269,'dissociation','mild',0,'recovered',NULL,'176afc0c64c4f63819984e7ce2697a61');
INSERT INTO "adverse_event" VALUES('8a0993488b4b0100192f52c8d44c3859','7ef052062cce261974488a1855a1bf9e',1753707600,20297,'sedation','mild',0,'recovered','50deb0c19afb80e20f59044470f425ac','6f5b60ad67d0fcda7e508a047c9f239b');
INSERT INTO "adverse_event" VALUES('31490d337a6ae670869ba5bed230bda9','7ef052062cce261974488a1855a1bf9e',1754906280,20311,'dissociation','moderate',0,'recovered','bc9eeb4b6f3446d026246e8b1c599d72','6bbb01b476d5c483ec672c9e3e955ba6');
INSERT INTO "adverse_event" VALUES('9c9ae3ec5a55d8e4b5e67d667975889d','7ef052062cce261974488a1855a1bf9e',1756113660,20325,'sedation','mild',0,'recovered','76b375c3d5fde9ff81ac0867dbda0937','a93559144916d845ee4eefa0cf00a2cb');
INSERT INTO "adverse_event" VALUES('95dec8dd2fe23e191ff760759b01e861','7ef052062cce261974488a1855a1bf9e',1756113780,20325,'dissociation','mild',0,'recovered',NULL,'ab7537187f4b38dad17c341faf0b86e4');
INSERT INTO "adverse_event" VALUES('63c8203e217267767ef357d5b6310acc','4aa62740721b83dcefa8cc9ae9b2b520',1752144900,20279,'nausea','severe',0,'recovered',NULL,'af2fe60a70a2294f8bfbc08f6ad8e669');
INSERT INTO "adverse_event" VALUES('4ece6e844815b03d927c0330d10c5905','4aa62740721b83dcefa8cc9ae9b2b520',1752147840,20279,'headache','mild',0,'recovered','9bcdf20f58f65fb3bed60031c51cfeeb','def0322ba9988187a9dd8699b6d24319');
INSERT INTO "adverse_event" VALUES('6f24fb1b3596a6b98f0d3c8129274d5c','4aa62740721b83dcefa8cc9ae9b2b520',1752408240,20282,'sedation','moderate',0,'recovered','72cabceb38362c25ce8d9b2595f2697d','37e751674cc75805f7977b037a34761c');
INSERT INTO "adverse_event" VALUES('8821bd4894c341a733d75b1d73b8fcd8','4aa62740721b83dcefa8cc9ae9b2b520',1753366860,20293,'dissociation','moderate',0,'recovered','2bdb1618508aa1f911ec1d6b9db4ab7e','296cac5e65ab5b1ee32992ddcacb1a06');
INSERT INTO "adverse_event" VALUES('5e2aee6454f39a6a826716efcc365e89','4aa62740721b83dcefa8cc9ae9b2b520',1753629060,20296,'sedation','mild',0,'recovered','bdfb8c7ca5196d4830b1109313faed96','8efe3d2b3ce9a0ff1f832b0213067e97');
INSERT INTO "adverse_event" VALUES('6fc5062e36b9708277388494223d252f','4aa62740721b83dcefa8cc9ae9b2b520',1754220360,20303,'dissociation','moderate',0,'recovered',NULL,'3ceebba4c8991014d331cf4e6cfc9ced');
INSERT INTO "adverse_event" VALUES('43e7476f3410ee0f9e95b6cf94242236','4aa62740721b83dcefa8cc9ae9b2b520',1754222700,20303,'sedation','mild',0,'recovered',NULL,'731346008459d9b565e69bf28d555811');
INSERT INTO "adverse_event" VALUES('aeb3662c6801be46a9f34319283b860f','4aa62740721b83dcefa8cc9ae9b2b520',1754818320,20310,'dissociation','mild',0,'recovered','85b99bcbd11d87020ed15a69946a6434','77d77a396bd580798063bf18a9646f1e');
INSERT INTO "adverse_event" VALUES('6f560b406c949a8afa798f8f3b267492','4aa62740721b83dcefa8cc9ae9b2b520',1755434100,20317,'hypertension','mild',0,'recovered','2f7450a409687356bfbdc16ccfca0ca6','62e45aa08fadc5b2d60a8ae8655b7eee');
INSERT INTO "adverse_event" VALUES('79bafb6b12e4d40e8830615a209bbb32','4aa62740721b83dcefa8cc9ae9b2b520',1755434880,20317,'dissociation','mild',0,'recovered','2f7450a409687356bfbdc16ccfca0ca6','b95bc10fce6f22659b6593bb215b722e');
INSERT INTO "adverse_event" VALUES('73019f08e2ab2bc0dd2160cb22bf4ffb','4aa62740721b83dcefa8cc9ae9b2b520',1755436620,20317,'vomiting','mild',0,'recovered','2f7450a409687356bfbdc16ccfca0ca6','a4428571d30d89f8acf321b5f4960683');
INSERT INTO "adverse_event" VALUES('12d43afd1e501d5ba7d6f3ca89ea735c','4aa62740721b83dcefa8cc9ae9b2b520',1756037220,20324,'nausea','mild',0,'recovered','a8213bb3346ca703b7977294b7cf1210','b23a658a9b0afb1d0416580df6b3de32');
INSERT INTO "adverse_event" VALUES('98ce94585daee279cf959c22d486c314','6e16ed2558f67005f9f4fd4a41fa257b',1722841620,19940,'sedation','moderate',0,'recovered','3243bb4ba069222e20465121bf1c440f','227eef98e08363a8f7667cafb3e20554');
INSERT INTO "adverse_event" VALUES('f119471a6c9d631b47ec6ead2a8d3d7f','6e16ed2558f67005f9f4fd4a41fa257b',1723462680,19947,'dissociation','mild',0,'recovered','40f9bab0052f5b4b77f3a6b3008c5fe1','0ac86579d2bbf50038ed7aa5b36807e0');
INSERT INTO "adverse_event" VALUES('3053aba028ed702fd57ec94761b05859','6e16ed2558f67005f9f4fd4a41fa257b',1723464600,19947,'sedation','mild',0,'recovered','40f9bab0052f5b4b77f3a6b3008c5fe1','b05295f469cbcf7f1553eb3c28de4fd6');
INSERT INTO "adverse_event" VALUES('a729c35b2c9db17763b6e05e9de75dce','6e16ed2558f67005f9f4fd4a41fa257b',1723811400,19951,'dissociation','mild',0,'recovered','d94493de916ff25245f7071385212ec0','6500ab11f04dea928a50dba9566dcf11');
INSERT INTO "adverse_event" VALUES('590db9678f09330ea7158581b60585a4','6e16ed2558f67005f9f4fd4a41fa257b',1724064180,19954,'sedation','moderate',0,'recovered','da9ac22309f621569c2aed861bd0f8c2','cfe774f8e9038e19c45fd17ced93f250');
INSERT INTO "adverse_event" VALUES('c1065a7851185686fd2f4240b611d4a0','6e16ed2558f67005f9f4fd4a41fa257b',1724405520,19958,'sedation','moderate',0,'recovered','e57d5d9a988a1b9e9e79c3ea5a343191','1dd0dbe3a2d250d69d3f9a5f161720a8');
INSERT INTO "adverse_event" VALUES('eb338e396af61e1506f917c0971fbe11','6e16ed2558f67005f9f4fd4a41fa257b',1724408280,19958,'vomiting','mild',0,'recovered','e57d5d9a988a1b9e9e79c3ea5a343191','91c20d37069f5cdd1965e14764b81f5d');
INSERT INTO "adverse_event" VALUES('223bca4bd437d229b91ca5f41398cd6d','6e16ed2558f67005f9f4fd4a41fa257b',1725265860,19968,'dissociation','mild',0,'recovered','d575a170cc04d39e6c48bbc82dd9d7ee','d5faafaa7ae3ba18c2ad97156d4ce725');
INSERT INTO "adverse_event" VALUES('3fd3773f51f401686e9db6e8f1d3188d','6e16ed2558f67005f9f4fd4a41fa257b',1725881280,19975,'sedation','moderate',0,'recovered','3176878c5db0a6b9ca0b9ba9c7ca479a','8a3cc37d968d2c693510961e5f81e003');
INSERT INTO "adverse_event" VALUES('59cf4d294cab6b0e6668d95c4a8edfa1','6e16ed2558f67005f9f4fd4a41fa257b',1726488960,19982,'dissociation','mild',0,'recovered',NULL,'67c6a491af48b2d96e3e6e071d0c1691');
INSERT INTO "adverse_event" VALUES('b7159e78bc5c0a4ccbd57c025b3d8c5d','6e16ed2558f67005f9f4fd4a41fa257b',1726489260,19982,'sedation','mild',0,'recovered','a59f5ffe85c784bdae448f5bec5c49c4','cc22e17891463286543b471ab56eb415');
INSERT INTO "adverse_event" VALUES('e46d34483392c12fc9d749ce05f66fd6','6e16ed2558f67005f9f4fd4a41fa257b',1727093160,19989,'dissociation','moderate',0,'unknown','902eeb1d88e01c505221ae57e8db5adb','b16da006da1167ffebdae3732bc63ae5');
INSERT INTO "adverse_event" VALUES('2af113c8be8e90f56c7fb13079044f35','6e16ed2558f67005f9f4fd4a41fa257b',1727095380,19989,'sedation','mild',0,'recovered','902eeb1d88e01c505221ae57e8db5adb','c59f9e98445ea4d287f98d86ee29f947');
INSERT INTO "adverse_event" VALUES('33ef4d4724470769d54991ecbbbb13bd','6e16ed2558f67005f9f4fd4a41fa257b',1730634540,20030,'sedation','mild',0,'recovered','e679772401b1fd5477e65225d85e7e2b','0ae7b3acd950d213f964541f4c368253');
INSERT INTO "adverse_event" VALUES('b79243a5c92992f00df67e13f5bbfc3f','dcf2ce9d3d62330dd052b899c20c35b6',1721052360,19919,'sedation','mild',0,'recovered','5766f9f3a28483306232b420b5a6f9c1','cceada3975021f442a37b7ed6f31c74b');
INSERT INTO "adverse_event" VALUES('fe4308c54510a075e1eea61c3bd3e1ae','dcf2ce9d3d62330dd052b899c20c35b6',1721053020,19919,'headache','mild',0,'recovered','5766f9f3a28483306232b420b5a6f9c1','c0f7a4d9e663f0504016c862693264af');
INSERT INTO "adverse_event" VALUES('82b296da4a1d999a58fa62b33cf634a6','dcf2ce9d3d62330dd052b899c20c35b6',1721300880,19922,'dissociation','mild',0,'recovered',NULL,'c8e1fc5a15424dae38258073aa53e539');
INSERT INTO "adverse_event" VALUES('dc1a2d86018fbc1816f35dc90a84e36c','dcf2ce9d3d62330dd052b899c20c35b6',1721655000,19926,'dizziness','mild',0,'recovered','5da0e24ba596d289ab917b875a841ff0','c1b2cad1f644054f78ed0b5632889295');
INSERT INTO "adverse_event" VALUES('09b5b0c7fee35386e70062eb7cafa426','dcf2ce9d3d62330dd052b899c20c35b6',1721916780,19929,'nausea','mild',0,'recovered','5e445715d91cd9bdb203e2206b1c9638','89720d5527cb0f56f368e2da9789c5db');
INSERT INTO "adverse_event" VALUES('37fc93e58dd754e13add722360864f72','dcf2ce9d3d62330dd052b899c20c35b6',1722842100,19940,'sedation','mild',0,'recovered','dbafddf8f4e4a0851ba9ba28e59d9da2','96234262f8ea97bfef3ad26f1c96576c');
INSERT INTO "adverse_event" VALUES('dcd2d80a7028ae33aa988779d7182c25','dcf2ce9d3d62330dd052b899c20c35b6',1723113900,19943,'sedation','moderate',0,'recovered',NULL,'2719fc732f32b8bead709d9238734f3a');
INSERT INTO "adverse_event" VALUES('42782e995ba11317b12cd0ae797de253','dcf2ce9d3d62330dd052b899c20c35b6',1724452560,19958,'sedation','mild',0,'recovered','8d96526bd2b8f36a0b13c6b5dbfa07ad','9432236825aaead29c6a9baba44a87a9');
INSERT INTO "adverse_event" VALUES('e0eb3b49e155527495d32673d0d819d4','dcf2ce9d3d62330dd052b899c20c35b6',1726542300,19983,'dependence','severe',0,'recovered',NULL,'e9fd499b50c569714fe3968cfa5de638');
CREATE TABLE audit_checkpoint (
	id INTEGER NOT NULL, 
	seq BIGINT NOT NULL, 
	hash VARCHAR(64) NOT NULL, 
	at VARCHAR(32) NOT NULL, 
	kid VARCHAR(64) NOT NULL, 
	document TEXT NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO "audit_checkpoint" VALUES(1,3,'846425666732085b2e1283269e0c1933b933d4e17631e936a8ec1cdc7264672b','2026-12-02T19:29:00.826Z','9ujxfpqZ-M9RtWCdY00CfjOzQNfiCFSq-ccSMQK9JGw','{"type": "ketanet-audit-checkpoint", "seq": 3, "hash": "846425666732085b2e1283269e0c1933b933d4e17631e936a8ec1cdc7264672b", "at": "2026-12-02T19:29:00.826Z", "kid": "9ujxfpqZ-M9RtWCdY00CfjOzQNfiCFSq-ccSMQK9JGw", "signature": "SoanIzy8DG8YxV-_XpeMx0haxpHKBhw2CDp8OmzmvzIfo3dqnkmKf10wMQiBMIwaFiWKIdc9gxoRiLcoMWOYBQ"}');
CREATE TABLE audit_log (
	seq BIGINT NOT NULL, 
	at VARCHAR(32) NOT NULL, 
	actor TEXT NOT NULL, 
	action TEXT NOT NULL, 
	target TEXT NOT NULL, 
	decision VARCHAR(32) NOT NULL, 
	reason TEXT, 
	request_digest TEXT, 
	response_digest TEXT, 
	prev_hash VARCHAR(64) NOT NULL, 
	hash VARCHAR(64) NOT NULL, 
	PRIMARY KEY (seq), 
	UNIQUE (hash)
);
INSERT INTO "audit_log" VALUES(1,'2026-12-02T19:29:00.783Z','Q59GGkqG2mDxkeink0PqyBBIYHieOTTpAM5jklyEhkM','evaluate-measure','Measure/treated-patients','answered',NULL,'sha-256=:2fQ1D7xeaAUU/bGkYhdf6apk/rvVKTMkodfXIwFiV3w=:','sha-256=:ChW9fBoYYnhF/zxfUry1lIUXyHQKHFCuuHgSGR78lok=:','0000000000000000000000000000000000000000000000000000000000000000','e478a113407f8add79d0f501c1008628de54d058267b88c21008d8327c343a89');
INSERT INTO "audit_log" VALUES(2,'2026-12-02T19:29:00.796Z','Q59GGkqG2mDxkeink0PqyBBIYHieOTTpAM5jklyEhkM','evaluate-measure','Measure/treated-patients','answered',NULL,'sha-256=:2fQ1D7xeaAUU/bGkYhdf6apk/rvVKTMkodfXIwFiV3w=:','sha-256=:ChW9fBoYYnhF/zxfUry1lIUXyHQKHFCuuHgSGR78lok=:','e478a113407f8add79d0f501c1008628de54d058267b88c21008d8327c343a89','ea77d38ab09cba34d0f855c77d3acf7c16c237429fe769f5244c9f56f2a67270');
INSERT INTO "audit_log" VALUES(3,'2026-12-02T19:29:00.816Z','Q59GGkqG2mDxkeink0PqyBBIYHieOTTpAM5jklyEhkM','evaluate-measure','Measure/administrations','answered',NULL,'sha-256=:MkqHyD288muITDzDesT6jwieMBgW2IhuVDTxei0X36E=:','sha-256=:c2GfJu0Wi1WX1H8cyaAuYyanACr0zkDNp10cj4G1uLk=:','ea77d38ab09cba34d0f855c77d3acf7c16c237429fe769f5244c9f56f2a67270','846425666732085b2e1283269e0c1933b933d4e17631e936a8ec1cdc7264672b');
CREATE TABLE disclosure_answer_cache (
	cache_key VARCHAR(64) NOT NULL, 
	requester_kid VARCHAR(200) NOT NULL, 
	data_version VARCHAR(200) NOT NULL, 
	query_key TEXT NOT NULL, 
	created_at VARCHAR(40) NOT NULL, 
	report_json TEXT NOT NULL, 
	PRIMARY KEY (cache_key)
);
INSERT INTO "disclosure_answer_cache" VALUES('51f7fa0c797dec71cbff805d96a57c8a8c1acf875f96423ed290ae6fb08dca6e','peer:hub','run-2','{"filters":{},"measure":"treated-patients","min_cell":5,"parameters":{},"period":["2024-01-01","2025-06-30"],"stratify":["route"],"version":"1"}|{"epsilon": 1.0, "mask_zero": false, "max_records_per_patient": 100, "min_cell": 5, "rounding": 0}','2026-12-02T19:29:00+00:00','{"resourceType":"MeasureReport","extension":[{"url":"https://ketanet.org/fhir/StructureDefinition/disclosure-policy","extension":[{"url":"min-cell","valueInteger":5},{"url":"mask-zero","valueBoolean":false},{"url":"rounding","valueInteger":0},{"url":"epsilon","valueDecimal":1.0}]},{"url":"https://ketanet.org/fhir/StructureDefinition/reporting-node","valueString":"no"},{"url":"https://ketanet.org/fhir/StructureDefinition/data-as-of","valueDateTime":"2026-12-02T19:29:00Z"}],"status":"complete","type":"summary","measure":"https://ketanet.org/fhir/Measure/treated-patients|1","date":"2026-12-02T19:29:00+00:00","period":{"start":"2024-01-01","end":"2025-06-30"},"reporter":{"display":"NO"},"group":[{"extension":[{"url":"https://ketanet.org/fhir/StructureDefinition/noise-scale","valueDecimal":6.0}],"code":{"coding":[{"system":"https://ketanet.org/fhir/CodeSystem/measure-population","code":"treated-patients"}],"text":"treated-patients"},"population":[{"code":{"coding":[{"system":"https://ketanet.org/fhir/CodeSystem/measure-population","code":"treated-patients"}],"text":"treated-patients"},"count":7,"_count":{"extension":[{"url":"https://ketanet.org/fhir/StructureDefinition/cell-disclosure","valueCode":"noised"}]}}],"stratifier":[{"extension":[{"url":"https://ketanet.org/fhir/StructureDefinition/strata-overlap","valueBoolean":false}],"code":[{"coding":[{"system":"https://ketanet.org/fhir/CodeSystem/measure-stratifier","code":"route"}],"text":"route"}],"stratum":[{"value":{"text":"iv"},"population":[{"code":{"coding":[{"system":"https://ketanet.org/fhir/CodeSystem/measure-population","code":"treated-patients"}],"text":"treated-patients"},"_count":{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/data-absent-reason","valueCode":"masked"},{"url":"https://ketanet.org/fhir/StructureDefinition/cell-disclosure","valueCode":"noised"},{"url":"https://ketanet.org/fhir/StructureDefinition/cell-disclosure","valueCode":"small-cell"}]}}]},{"value":{"text":"im"},"population":[{"code":{"coding":[{"system":"https://ketanet.org/fhir/CodeSystem/measure-population","code":"treated-patients"}],"text":"treated-patients"},"count":0,"_count":{"extension":[{"url":"https://ketanet.org/fhir/StructureDefinition/cell-disclosure","valueCode":"noised"}]}}]},{"value":{"text":"sc"},"population":[{"code":{"coding":[{"system":"https://ketanet.org/fhir/CodeSystem/measure-population","code":"treated-patients"}],"text":"treated-patients"},"count":0,"_count":{"extension":[{"url":"https://ketanet.org/fhir/StructureDefinition/cell-disclosure","valueCode":"noised"}]}}]},{"value":{"text":"intranasal"},"population":[{"code":{"coding":[{"system":"https://ketanet.org/fhir/CodeSystem/measure-population","code":"treated-patients"}],"text":"treated-patients"},"_count":{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/data-absent-reason","valueCode":"masked"},{"url":"https://ketanet.org/fhir/StructureDefinition/cell-disclosure","valueCode":"noised"},{"url":"https://ketanet.org/fhir/StructureDefinition/cell-disclosure","valueCode":"small-cell"}]}}]},{"value":{"text":"oral"},"population":[{"code":{"coding":[{"system":"https://ketanet.org/fhir/CodeSystem/measure-population","code":"treated-patients"}],"text":"treated-patients"},"count":0,"_count":{"extension":[{"url":"https://ketanet.org/fhir/StructureDefinition/cell-disclosure","valueCode":"noised"}]}}]},{"value":{"text":"sublingual"},"population":[{"code":{"coding":[{"system":"https://ketanet.org/fhir/CodeSystem/measure-population","code":"treated-patients"}],"text":"treated-patients"},"_count":{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/data-absent-reason","valueCode":"masked"},{"url":"https://ketanet.org/fhir/StructureDefinition/cell-disclosure","valueCode":"noised"},{"url":"https://ketanet.org/fhir/StructureDefinition/cell-disclosure","valueCode":"small-cell"}]}}]}]}]}]}');
INSERT INTO "disclosure_answer_cache" VALUES('185dbf708658727ad745816cfccddadc21f05d6c6d8de80b785d4b92a34ebc6f','peer:hub','run-2','{"filters":{},"measure":"administrations","min_cell":5,"parameters":{},"period":["2024-01-01","2025-06-30"],"stratify":["drug"],"version":"1"}|{"epsilon": 1.0, "mask_zero": false, "max_records_per_patient": 100, "min_cell": 5, "rounding": 0}','2026-12-02T19:29:00+00:00','{"resourceType":"MeasureReport","extension":[{"url":"https://ketanet.org/fhir/StructureDefinition/disclosure-policy","extension":[{"url":"min-cell","valueInteger":5},{"url":"mask-zero","valueBoolean":false},{"url":"rounding","valueInteger":0},{"url":"epsilon","valueDecimal":1.0}]},{"url":"https://ketanet.org/fhir/StructureDefinition/reporting-node","valueString":"no"},{"url":"https://ketanet.org/fhir/StructureDefinition/data-as-of","valueDateTime":"2026-12-02T19:29:00Z"}],"status":"complete","type":"summary","measure":"https://ketanet.org/fhir/Measure/administrations|1","date":"2026-12-02T19:29:00+00:00","period":{"start":"2024-01-01","end":"2025-06-30"},"reporter":{"display":"NO"},"group":[{"extension":[{"url":"https://ketanet.org/fhir/StructureDefinition/noise-scale","valueDecimal":599.0}],"code":{"coding":[{"system":"https://ketanet.org/fhir/CodeSystem/measure-population","code":"administrations"}],"text":"administrations"},"population":[{"code":{"coding":[{"system":"https://ketanet.org/fhir/CodeSystem/measure-population","code":"administrations"}],"text":"administrations"},"count":488,"_count":{"extension":[{"url":"https://ketanet.org/fhir/StructureDefinition/cell-disclosure","valueCode":"noised"}]}}],"stratifier":[{"extension":[{"url":"https://ketanet.org/fhir/StructureDefinition/strata-overlap","valueBoolean":false}],"code":[{"coding":[{"system":"https://ketanet.org/fhir/CodeSystem/measure-stratifier","code":"drug"}],"text":"drug"}],"stratum":[{"value":{"text":"ketamine"},"population":[{"code":{"coding":[{"system":"https://ketanet.org/fhir/CodeSystem/measure-population","code":"administrations"}],"text":"administrations"},"count":101,"_count":{"extension":[{"url":"https://ketanet.org/fhir/StructureDefinition/cell-disclosure","valueCode":"noised"}]}}]},{"value":{"text":"esketamine"},"population":[{"code":{"coding":[{"system":"https://ketanet.org/fhir/CodeSystem/measure-population","code":"administrations"}],"text":"administrations"},"count":0,"_count":{"extension":[{"url":"https://ketanet.org/fhir/StructureDefinition/cell-disclosure","valueCode":"noised"}]}}]},{"value":{"text":"arketamine"},"population":[{"code":{"coding":[{"system":"https://ketanet.org/fhir/CodeSystem/measure-population","code":"administrations"}],"text":"administrations"},"count":70,"_count":{"extension":[{"url":"https://ketanet.org/fhir/StructureDefinition/cell-disclosure","valueCode":"noised"}]}}]}]}]}]}');
CREATE TABLE disclosure_epsilon_ledger (
	requester_kid VARCHAR(200) NOT NULL, 
	spent_micro_epsilon BIGINT NOT NULL, 
	PRIMARY KEY (requester_kid)
);
INSERT INTO "disclosure_epsilon_ledger" VALUES('peer:hub',2000000);
CREATE TABLE discontinuation (
	id VARCHAR(64) NOT NULL, 
	patient_id VARCHAR(64) NOT NULL, 
	at_s BIGINT NOT NULL, 
	day INTEGER NOT NULL, 
	reason VARCHAR(32) NOT NULL, 
	row_hash VARCHAR(64) NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(patient_id) REFERENCES patient (id)
);
INSERT INTO "discontinuation" VALUES('415479d1a9868eb8c42d6704028a0d45','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1731758400,20043,'patient-choice','373478bb36627493b27caeeaa105a40d');
INSERT INTO "discontinuation" VALUES('300f8e3c58a30819d7dcd008d351d516','4aa62740721b83dcefa8cc9ae9b2b520',1757078100,20336,'cost','aea518163d157ce5fbd5ecc878a70286');
INSERT INTO "discontinuation" VALUES('35d48d359546b7fa6c03567520ff0924','6e16ed2558f67005f9f4fd4a41fa257b',1732179000,20048,'other','26061fae421b7ce8c2a14dbd8729390d');
INSERT INTO "discontinuation" VALUES('2aaf0de8c056033e698c4978b9a179de','dcf2ce9d3d62330dd052b899c20c35b6',1727060700,19989,'misuse-concern','6e04ee26d311e9008851828f6cd5c091');
CREATE TABLE dispense (
	id VARCHAR(64) NOT NULL, 
	patient_id VARCHAR(64) NOT NULL, 
	at_s BIGINT NOT NULL, 
	day INTEGER NOT NULL, 
	drug VARCHAR(16) NOT NULL, 
	route VARCHAR(16) NOT NULL, 
	quantity_mg FLOAT NOT NULL, 
	days_supply INTEGER NOT NULL, 
	row_hash VARCHAR(64) NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(patient_id) REFERENCES patient (id)
);
INSERT INTO "dispense" VALUES('92b257c62ce2fde67d4a2dfe01ccbbc0','dcf2ce9d3d62330dd052b899c20c35b6',1724223300,19956,'ketamine','sublingual',100.0,14,'0edcec503549b7c6daedc5dc6668421c');
INSERT INTO "dispense" VALUES('12ef92214c68fdeedda9a95c43ee43a7','dcf2ce9d3d62330dd052b899c20c35b6',1725349200,19969,'ketamine','sublingual',100.0,21,'d6e8485efe3b32b5464e72e03241091f');
CREATE TABLE erased_patient (
	patient_id VARCHAR(64) NOT NULL, 
	erased_at VARCHAR(40) NOT NULL, 
	PRIMARY KEY (patient_id)
);
INSERT INTO "erased_patient" VALUES('1ff63f56e0c491dd017a5703a7834d8e','2026-12-02T19:29:00Z');
CREATE TABLE ingest_run (
	id INTEGER NOT NULL, 
	started_at VARCHAR(40) NOT NULL, 
	finished_at VARCHAR(40), 
	mapping VARCHAR(200) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	counts_json VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO "ingest_run" VALUES(1,'2026-12-02T19:29:00Z','2026-12-02T19:29:00Z','reference-csv','ok','{"files":{"patients.csv":{"file":"patients.csv","kind":"patient","read":8,"valid":8,"inserted":8,"updated":0,"unchanged":0,"rejected":0,"skipped":0,"erased":0},"administrations.csv":{"file":"administrations.csv","kind":"administration","read":136,"valid":136,"inserted":136,"updated":0,"unchanged":0,"rejected":0,"skipped":0,"erased":0},"dispenses.csv":{"file":"dispenses.csv","kind":"dispense","read":2,"valid":2,"inserted":2,"updated":0,"unchanged":0,"rejected":0,"skipped":0,"erased":0},"observations.csv":{"file":"observations.csv","kind":"observation","read":123,"valid":123,"inserted":123,"updated":0,"unchanged":0,"rejected":0,"skipped":0,"erased":0},"adverse_events.csv":{"file":"adverse_events.csv","kind":"adverse_event","read":179,"valid":179,"inserted":179,"updated":0,"unchanged":0,"rejected":0,"skipped":0,"erased":0},"discontinuations.csv":{"file":"discontinuations.csv","kind":"discontinuation","read":5,"valid":5,"inserted":5,"updated":0,"unchanged":0,"rejected":0,"skipped":0,"erased":0}},"issues":0}');
INSERT INTO "ingest_run" VALUES(2,'2026-12-02T19:29:00Z','2026-12-02T19:29:00Z','erase','erased','{"deleted":43}');
CREATE TABLE observation (
	id VARCHAR(64) NOT NULL, 
	patient_id VARCHAR(64) NOT NULL, 
	at_s BIGINT NOT NULL, 
	day INTEGER NOT NULL, 
	code VARCHAR(16) NOT NULL, 
	value FLOAT NOT NULL, 
	unit VARCHAR(16), 
	row_hash VARCHAR(64) NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(patient_id) REFERENCES patient (id)
);
INSERT INTO "observation" VALUES('92d5b5ff6dabc66aa9190ab72e97270a','1d7f78ce2280563f13b335158723ac55',1735292700,20084,'PHQ9',26.0,'{score}','a527848e3a158e22bb289e85d5acef2b');
INSERT INTO "observation" VALUES('8838c7ea4ede155ccc5bdfa9de839e79','1d7f78ce2280563f13b335158723ac55',1735736100,20089,'MADRS',40.0,'{score}','a11ce93e0cdf6e4d32484287565afe91');
INSERT INTO "observation" VALUES('cfb94b9953557827d276dc67845f4e04','1d7f78ce2280563f13b335158723ac55',1736418300,20097,'CADSS',14.0,'{score}','c1e2c9d60b03d4c9d9fa732eb611f33a');
INSERT INTO "observation" VALUES('c574e7673e45c96d5c434f50e03dcf82','1d7f78ce2280563f13b335158723ac55',1736680200,20100,'CADSS',24.0,'{score}','cbd78bc7d4f4c0a5a7f372b67246a1fd');
INSERT INTO "observation" VALUES('a31f535c76a6263cf960eb66bf55a098','1d7f78ce2280563f13b335158723ac55',1737036600,20104,'MADRS',44.0,'{score}','1966445fa66821228a0c116dc07b8ba8');
INSERT INTO "observation" VALUES('e8bd3b45a01032508bf507f6a84d4ec5','1d7f78ce2280563f13b335158723ac55',1737037800,20104,'CADSS',29.0,'{score}','a1b766f16675b033672a17c1e12cf6ef');
INSERT INTO "observation" VALUES('17555220d555ef40f7827ddcf17c9108','1d7f78ce2280563f13b335158723ac55',1737278400,20107,'CADSS',7.0,'{score}','03cd5ae769b9dba7a32621f66eada9b4');
INSERT INTO "observation" VALUES('27a8b59751b81c3a1aa8ff5447e7064c','1d7f78ce2280563f13b335158723ac55',1737623400,20111,'CADSS',0.0,'{score}','2174d94e492ad865401e50db0ee40007');
INSERT INTO "observation" VALUES('6be35b0f9dcc4890cd980da25b24a24e','1d7f78ce2280563f13b335158723ac55',1737810900,20113,'CADSS',4.0,'{score}','a30313e7c77a913a30929dbc195874e0');
INSERT INTO "observation" VALUES('bc22f6fdf48edd1c91e4062f96bc714f','1d7f78ce2280563f13b335158723ac55',1738489800,20121,'CADSS',11.0,'{score}','bf022782851666c0e0edc3488f6d1029');
INSERT INTO "observation" VALUES('fb4d8a0a04c6ea12cd18d891d418d485','1d7f78ce2280563f13b335158723ac55',1738748400,20124,'PHQ9',27.0,'{score}','1234e52079ea710f169ac36ee2d92207');
INSERT INTO "observation" VALUES('949ebe6e637878364e3c40ab60bb3696','1d7f78ce2280563f13b335158723ac55',1739288100,20130,'MADRS',45.0,'{score}','f447d6ac1d9965cfa911b109ae44dbed');
INSERT INTO "observation" VALUES('c88e7eb1e6bf4fe6e3367165a84b3139','1d7f78ce2280563f13b335158723ac55',1766993700,20451,'MADRS',43.0,'{score}','447d7d6fb617927d975d73ae9924ab47');
INSERT INTO "observation" VALUES('8fad96246ff986ae9772f86c2226ad06','dc5313d9aa6cc13ff052450d50565c3e',1701360300,19691,'MADRS',28.0,'{score}','7cecc733bf0699a0b038272ba775df3d');
INSERT INTO "observation" VALUES('c4cfaa146ae964ea9258ac1ba08ff96f','dc5313d9aa6cc13ff052450d50565c3e',1701606000,19694,'PHQ9',17.0,'{score}','5ce8397b51a3dc3d27e82e2905cacc15');
INSERT INTO "observation" VALUES('f8c0501f44677721f836350491a02be5','dc5313d9aa6cc13ff052450d50565c3e',1702546440,19705,'HAMD17',22.0,'{score}','1daff0f0573a0a70389036f91ed52bf9');
INSERT INTO "observation" VALUES('e3f845b5bca437f5fe4cb6a73134f84f','dc5313d9aa6cc13ff052450d50565c3e',1702550100,19705,'CADSS',5.0,'{score}','f7ba58a79c40e6a40682b93f6adf2abd');
INSERT INTO "observation" VALUES('d9303ba2543f5fb207b53730bd1e02f0','dc5313d9aa6cc13ff052450d50565c3e',1702649160,19706,'MADRS',19.0,'{score}','39bb187e6a1708199e2469b47e50cd9b');
INSERT INTO "observation" VALUES('0ec7272b2fc293ef985c1e966d06c2c9','dc5313d9aa6cc13ff052450d50565c3e',1702828800,19708,'CADSS',18.0,'{score}','a2951768b09b4872e3be3e74df856839');
INSERT INTO "observation" VALUES('9da004feee23d53afb51f8d2f91089ab','dc5313d9aa6cc13ff052450d50565c3e',1703073000,19711,'MADRS',13.0,'{score}','ab9f6f1bfb055204732c6d7929a64e53');
INSERT INTO "observation" VALUES('c465048ffbbd721378d38912decbaa4c','dc5313d9aa6cc13ff052450d50565c3e',1703075100,19711,'PHQ9',8.0,'{score}','f6251e50535f0841b558166a4e37897b');
INSERT INTO "observation" VALUES('574f3c933b97af5ee8c4ba614e3bec2b','dc5313d9aa6cc13ff052450d50565c3e',1703182800,19712,'CADSS',3.0,'{score}','a43f460436587a8cb48c8f079d63bb65');
INSERT INTO "observation" VALUES('40c1cb2b11edd12b6142b14c149b3800','dc5313d9aa6cc13ff052450d50565c3e',1703751000,19719,'CADSS',31.0,'{score}','0aa697325b0252c4991d34fe83adcf8b');
INSERT INTO "observation" VALUES('7262f301bf7f51a8080bea9808a7aed2','dc5313d9aa6cc13ff052450d50565c3e',1704638400,19729,'MADRS',13.0,'{score}','22f39991578a927bdf831e092fb82b83');
INSERT INTO "observation" VALUES('66b117d8149c54969502601c9802a273','dc5313d9aa6cc13ff052450d50565c3e',1704650700,19729,'CADSS',4.0,'{score}','97d17ce62b457cddbabde974fa984240');
INSERT INTO "observation" VALUES('1a531e372193249367028fa13d47d22a','dc5313d9aa6cc13ff052450d50565c3e',1704972600,19733,'PHQ9',8.0,'{score}','d5f9c6e4cd75491653d23f8335b6ae52');
INSERT INTO "observation" VALUES('85c738a3a17ef74c3405c2150fa3710d','dc5313d9aa6cc13ff052450d50565c3e',1706442300,19750,'CADSS',11.0,'{score}','831c57be19d2cb9aafe5c8e0d4fdc435');
INSERT INTO "observation" VALUES('fbbbcf02f40160a6b2696015f9356fca','dc5313d9aa6cc13ff052450d50565c3e',1709549400,19786,'PHQ9',6.0,'{score}','2718a3332ade589102fe4f0e7a7a89d8');
INSERT INTO "observation" VALUES('52732ba818cb2cf709f9426b7bdf3eea','dc5313d9aa6cc13ff052450d50565c3e',1709895000,19790,'MADRS',10.0,'{score}','205fdc882b2bb86e2e18ffd40c6f15fd');
INSERT INTO "observation" VALUES('3efae48e458fb09222d88e6ae1a3cbfe','dc5313d9aa6cc13ff052450d50565c3e',1710846000,19801,'CADSS',16.0,'{score}','215e03865f9ecb1738df9608082fc435');
INSERT INTO "observation" VALUES('959d00397b0ca6f86e8aacf27e7b00de','dc5313d9aa6cc13ff052450d50565c3e',1712055600,19815,'CADSS',27.0,'{score}','7e8b6cdeb4d361b97379b7075049f5c9');
INSERT INTO "observation" VALUES('bec29d8ef4d4e9afc992f6513fe7c99a','dc5313d9aa6cc13ff052450d50565c3e',1712744100,19823,'CADSS',26.0,'{score}','29293ae3da232c7c45579e9d27362b30');
INSERT INTO "observation" VALUES('f2484cb193b10cc3a7fa8298c35ec539','dc5313d9aa6cc13ff052450d50565c3e',1713347700,19830,'CADSS',15.0,'{score}','d59540155dfe3d60faf3cb5fb3dba2ac');
INSERT INTO "observation" VALUES('e55ba60dd6f007e9f634964fb40c43ec','dc5313d9aa6cc13ff052450d50565c3e',1713963000,19837,'CADSS',9.0,'{score}','d5c8332fa9b815b7027d3d91eafba358');
INSERT INTO "observation" VALUES('69e6a841534500f2d4348013e9ebd758','dc5313d9aa6cc13ff052450d50565c3e',1714644900,19845,'CADSS',3.0,'{score}','00f7533eab303306104c2c60fca9a4fa');
INSERT INTO "observation" VALUES('fec8d249b096fb82cec0e737d2a27343','dc5313d9aa6cc13ff052450d50565c3e',1715263500,19852,'CADSS',2.0,'{score}','b5f8441f76e9225b174d1bef1ddbbf1a');
INSERT INTO "observation" VALUES('104e16843be9d7f6a34f254c99e5006b','dc5313d9aa6cc13ff052450d50565c3e',1716456600,19866,'CADSS',20.0,'{score}','c73f2069942e973ed464ba4a15676145');
INSERT INTO "observation" VALUES('2666fbc0e5ffe644bd8af09cb705f13c','dc5313d9aa6cc13ff052450d50565c3e',1716904200,19871,'MADRS',16.0,'{score}','10605393de425f2de372a178d300d9eb');
INSERT INTO "observation" VALUES('9577a4dc55e8c503146d0a5344c02324','dc5313d9aa6cc13ff052450d50565c3e',1717496400,19878,'PHQ9',7.0,'{score}','c6ed5ccbc96b0aef750c519a97784fa1');
INSERT INTO "observation" VALUES('773e4d956676438359770b2897e6a04d','dc5313d9aa6cc13ff052450d50565c3e',1718284500,19887,'CADSS',10.0,'{score}','1103f53563e5990cc26f035438d15ead');
INSERT INTO "observation" VALUES('279841bba46ee39972754304a18b9e4d','dc5313d9aa6cc13ff052450d50565c3e',1718890800,19894,'CADSS',4.0,'{score}','54a9c38f8f177bab740953ad45d5e1bb');
INSERT INTO "observation" VALUES('b1098907caaaf0ecc883871808e73943','dc5313d9aa6cc13ff052450d50565c3e',1720011000,19907,'CADSS',43.0,'{score}','278fba61aa0995a138fa34dbe9957330');
INSERT INTO "observation" VALUES('8e9d8a7354e790f82ecf32a71bb683b3','dc5313d9aa6cc13ff052450d50565c3e',1721225100,19921,'CADSS',13.0,'{score}','034b238d9e4cc9f537bef64ad297a79f');
INSERT INTO "observation" VALUES('e06104eebd447efc858f13576c18397f','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1717315200,19876,'QIDSSR16',16.0,'{score}','4d219e0d5c940a9d7fd2a4638b04ef8a');
INSERT INTO "observation" VALUES('a771172ed1b95d00845b6b459a87445a','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1718012100,19884,'PHQ9',23.0,'{score}','a50887858d2e25aef1a3f04cd38a919d');
INSERT INTO "observation" VALUES('dc84ad098c1dee9cbabfa33e1a469264','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1718568060,19890,'PHQ9',19.0,'{score}','7a4e10dcb60ce2e9f81993c0c8ae1fec');
INSERT INTO "observation" VALUES('7268729df9a10461491f3fc0241ba77f','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1719046500,19896,'PHQ9',13.0,'{score}','dda0cf5db4ff44941133d7cbb4fffe90');
INSERT INTO "observation" VALUES('44f9b559e7e9fa56312dee6225874526','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1721023500,19919,'PHQ9',12.0,'{score}','f066a278219bda92e689ec5e8127c563');
INSERT INTO "observation" VALUES('5c8b813761e6cb6d26597ba916bf3b6c','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1727179800,19990,'QIDSSR16',8.0,'{score}','9c525c1b27a6c2e27c4557d1e02812f1');
INSERT INTO "observation" VALUES('a56eb866c72a1bc73652112c05f1d5be','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1733131200,20059,'PHQ9',14.0,'{score}','9a7564118bf5386d918817f052ab133c');
INSERT INTO "observation" VALUES('72d3b21f4d8555ca550576e6feacb9bb','e9e5af30fa5d7dd6c8c15c9c7d50b3d2',1747038600,20220,'PHQ9',17.0,'{score}','2fbe289dcb9ee21bb8d4f02e71604e8c');
INSERT INTO "observation" VALUES('68ee8b07f8bc08bf81dd29d891d26ab3','7ef052062cce261974488a1855a1bf9e',1727174700,19990,'PHQ9',15.0,'{score}','59c035d523d8a03b71a3c6c698610c9d');
INSERT INTO "observation" VALUES('8f39a52db5847f44cbe201173542f06b','7ef052062cce261974488a1855a1bf9e',1728552000,20006,'MADRS',28.0,'{score}','08342d545fe83f73d3c9e13a612f8400');
INSERT INTO "observation" VALUES('7060949bc6c3fc5028a65f9237f41ea7','7ef052062cce261974488a1855a1bf9e',1729601400,20018,'CADSS',0.0,'{score}','87b2e659f2c417089093e0ed435bb3da');
INSERT INTO "observation" VALUES('b870fb485c152b3a6e0fe8c423e2ff1d','7ef052062cce261974488a1855a1bf9e',1729931400,20022,'MADRS',36.0,'{score}','7b366708f27fc8c35838ac146781e1ab');
INSERT INTO "observation" VALUES('80bd7c9a9ea3de822a46b6295663c6f0','7ef052062cce261974488a1855a1bf9e',1729953900,20022,'CADSS',13.0,'{score}','5ecf0e6bd35be9864b7cefd171eb9f89');
INSERT INTO "observation" VALUES('2db007555f24cf373ef0be11418c3810','7ef052062cce261974488a1855a1bf9e',1730802300,20032,'CADSS',27.0,'{score}','c7e1c8554c12d9ed0b719cee0adbd591');
INSERT INTO "observation" VALUES('c0cb11e7da58418e77c2e0a68bb1bdb4','7ef052062cce261974488a1855a1bf9e',1731110100,20035,'CADSS',13.0,'{score}','3a768c56ce4f39e6ed7c8a903b11c95e');
INSERT INTO "observation" VALUES('2b762e67400ed676fcfbb21fa4c74f13','7ef052062cce261974488a1855a1bf9e',1731504300,20040,'CADSS',18.0,'{score}','486411123fe592ad16bba9818015cb72');
INSERT INTO "observation" VALUES('7d3c5bb74e0c1b980f6e562c89999333','7ef052062cce261974488a1855a1bf9e',1731855900,20044,'MADRS',34.0,'{score}','6eee9f65467a591a79ba4fec8c6cfa69');
INSERT INTO "observation" VALUES('88a1adfcd4b3d55c562d99afb60900c3','7ef052062cce261974488a1855a1bf9e',1731858900,20044,'PHQ9',19.0,'{score}','90ba7df78955a33792202bbfbb424eac');
INSERT INTO "observation" VALUES('1811622acb0284f09e6095641af83e4c','7ef052062cce261974488a1855a1bf9e',1732110000,20047,'CADSS',0.0,'{score}','bf4055b512ed0be2695186727dd4295e');
INSERT INTO "observation" VALUES('f5b47e60971699a95296e012d2023a53','7ef052062cce261974488a1855a1bf9e',1734960300,20080,'CADSS',26.0,'{score}','92f837c79eed1a5b66ca96b938db045a');
INSERT INTO "observation" VALUES('fcd9c8368c3a0346dd50545ec6c7f220','7ef052062cce261974488a1855a1bf9e',1735566900,20087,'CADSS',8.0,'{score}','4917efdc9bf369dede09f59822933a40');
INSERT INTO "observation" VALUES('d84e8a4a7e37bd94537b1162e5c4fa30','7ef052062cce261974488a1855a1bf9e',1736695800,20100,'CADSS',4.0,'{score}','09d2a676275e171aaf2f6055c65bfd0f');
INSERT INTO "observation" VALUES('6232861e939ac45f8703ec51b1baca7c','7ef052062cce261974488a1855a1bf9e',1737823200,20113,'MADRS',32.0,'{score}','3c6da020691368ea689b60099079742a');
INSERT INTO "observation" VALUES('d53ca10231969bbfa65b6f13a45a0754','7ef052062cce261974488a1855a1bf9e',1739021100,20127,'CADSS',29.0,'{score}','55607fc848c5ef71f7b416642472142e');
INSERT INTO "observation" VALUES('1edda59a4f81d58df7c836ec221bab7b','7ef052062cce261974488a1855a1bf9e',1740314400,20142,'CADSS',23.0,'{score}','2a48b779015d913ace5871c1095b64d7');
INSERT INTO "observation" VALUES('36506e368d1879fee964eecdcbe49e34','7ef052062cce261974488a1855a1bf9e',1743930000,20184,'CADSS',27.0,'{score}','18d8a61784a8077294aebd5c474702b7');
INSERT INTO "observation" VALUES('6d4af7961b21c74668a619f273d3549c','7ef052062cce261974488a1855a1bf9e',1744901100,20195,'MADRS',46.0,'{score}','efa60297f511eb5b147d8c95ec03e0f8');
INSERT INTO "observation" VALUES('0d9ab3c7bec826193ebcc0fe9e18f918','7ef052062cce261974488a1855a1bf9e',1745157000,20198,'CADSS',4.0,'{score}','bc35d3e3770cb57277e6ed6f72fdc074');
INSERT INTO "observation" VALUES('22b44aa9649fa7a572ed157ce7123011','7ef052062cce261974488a1855a1bf9e',1746349800,20212,'CADSS',24.0,'{score}','f64e1d3581c0b0a78e3089c8c3f08be6');
INSERT INTO "observation" VALUES('bd8ba5d79640437c54feb5ce5ac1f3d9','7ef052062cce261974488a1855a1bf9e',1747647600,20227,'CADSS',5.0,'{score}','90144ebaef171b118ce67c5c1e50d6f5');
INSERT INTO "observation" VALUES('e8be8d91b691368517c815292e298a78','7ef052062cce261974488a1855a1bf9e',1750070100,20255,'CADSS',26.0,'{score}','38d81a121bc96d11e2a77fad20121ccc');
INSERT INTO "observation" VALUES('5a94e4c55cb9980b94c286a70dd44435','7ef052062cce261974488a1855a1bf9e',1753707600,20297,'CADSS',6.0,'{score}','182130d338787089d49c1ce6c067a793');
INSERT INTO "observation" VALUES('d9dab05e0c82a28227e71cddf84bebc9','7ef052062cce261974488a1855a1bf9e',1756115400,20325,'CADSS',18.0,'{score}','0bc4531ee516f14491e1ca5421452575');
INSERT INTO "observation" VALUES('0d0a8dd30ccb17ee43716c1cf871773e','4aa62740721b83dcefa8cc9ae9b2b520',1751011800,20266,'QIDSSR16',15.0,'{score}','d0004eb1133041d92ea7e52e7107f05b');
INSERT INTO "observation" VALUES('e3f0376fbed0f401a627b56590b692c8','4aa62740721b83dcefa8cc9ae9b2b520',1751529600,20272,'PHQ9',18.0,'{score}','af4511d920d030084c28559cdc751248');
INSERT INTO "observation" VALUES('eebddb091a8ddc4c01b298cf64c65726','4aa62740721b83dcefa8cc9ae9b2b520',1751615100,20273,'MADRS',29.0,'{score}','b3f77241b2eb22426d9ee0f1c7a757e0');
INSERT INTO "observation" VALUES('f360eb6318d4aaeb4aea2601389aefb4','4aa62740721b83dcefa8cc9ae9b2b520',1751700900,20274,'QIDSSR16',13.0,'{score}','684f4b369fca505af9bd15d25cd411c1');
INSERT INTO "observation" VALUES('ec86a0a11f37f705ce1c875b5262677b','4aa62740721b83dcefa8cc9ae9b2b520',1752232680,20280,'QIDSSR16',11.0,'{score}','8ce2de3c94cc146ddf5e83d1cf06edd9');
INSERT INTO "observation" VALUES('3f06cfaa652c542bc46cf15d40847c0b','4aa62740721b83dcefa8cc9ae9b2b520',1752480000,20283,'QIDSSR16',12.0,'{score}','be55d561128d20905285e64251049e4f');
INSERT INTO "observation" VALUES('e3b35a5b5b7c020cde27df55f37f8ee1','4aa62740721b83dcefa8cc9ae9b2b520',1752829500,20287,'MADRS',29.0,'{score}','bc4909fdf6be8a61ee28e309b87cf7b7');
INSERT INTO "observation" VALUES('94a94fb394f62c9f0b422049bd528516','4aa62740721b83dcefa8cc9ae9b2b520',1752852000,20287,'PHQ9',17.0,'{score}','33b65ef53156d334be2c580b937cbff8');
INSERT INTO "observation" VALUES('a88ad6f3f44a548c46e5dbd7a3eba70b','4aa62740721b83dcefa8cc9ae9b2b520',1754233500,20303,'PHQ9',17.0,'{score}','59603a1effd0281d5724d1709c9702b1');
INSERT INTO "observation" VALUES('0468577752f8a5fa4bfa4f62ceff382d','4aa62740721b83dcefa8cc9ae9b2b520',1759837200,20368,'MADRS',30.0,'{score}','4f46726cedbf5230361a94e43da59739');
INSERT INTO "observation" VALUES('1988107a3bf8f767f4999589d176f8f5','4aa62740721b83dcefa8cc9ae9b2b520',1761488700,20387,'PHQ9',18.0,'{score}','b85541ad84c04fbc026b0f549bac41a9');
INSERT INTO "observation" VALUES('741f1e23d4efbc2c9f653423f338497d','4aa62740721b83dcefa8cc9ae9b2b520',1765359300,20432,'PHQ9',16.0,'{score}','16cae42276116112f3f91d60fbf0c236');
INSERT INTO "observation" VALUES('c0e924cbc6124414f458969c06983fc6','4aa62740721b83dcefa8cc9ae9b2b520',1765719900,20436,'MADRS',28.0,'{score}','3f0f8930e2b38cc022ca42c7dc7fb0dc');
INSERT INTO "observation" VALUES('ab209358fb4e5ed6fa52d4e1ddaf7cb1','6e16ed2558f67005f9f4fd4a41fa257b',1721196600,19921,'MADRS',27.0,'{score}','27e9530ee091f10b7f2f9a8f095b89f7');
INSERT INTO "observation" VALUES('fc58aab1eb7b537fa1f4bd75ef96f426','6e16ed2558f67005f9f4fd4a41fa257b',1722320100,19934,'MADRS',27.0,'{score}','0ab5654c89b98aff37dc0db7e65a0119');
INSERT INTO "observation" VALUES('edb351fbdfc6fe1e7b0459462c5ba348','6e16ed2558f67005f9f4fd4a41fa257b',1722668760,19938,'MADRS',17.0,'{score}','77afc3e794a77f7d56e4f39619bbcadf');
INSERT INTO "observation" VALUES('1aea2db322007c8b4035191326807d8f','6e16ed2558f67005f9f4fd4a41fa257b',1724481900,19959,'MADRS',16.0,'{score}','a803094f07bfdb5a823fc441b79758c2');
INSERT INTO "observation" VALUES('bae99ccb10d4ae5cf1ffe99d510b4f0f','6e16ed2558f67005f9f4fd4a41fa257b',1737710100,20112,'MADRS',20.0,'{score}','e24f88b3e6bf8ba1714baa18f0126c17');
INSERT INTO "observation" VALUES('293ac749aceec95fe4860ef2f93094dd','dcf2ce9d3d62330dd052b899c20c35b6',1719996600,19907,'QIDSSR16',7.0,'{score}','9baaf3b5927c570be090bc3719a066f2');
INSERT INTO "observation" VALUES('df010028a4d183fd1a34329b76aadd73','dcf2ce9d3d62330dd052b899c20c35b6',1720516500,19913,'MADRS',9.0,'{score}','4084788a745dacc60e1c18b89db5f9eb');
INSERT INTO "observation" VALUES('33fdf4e24155b45f344eed3bd329f361','dcf2ce9d3d62330dd052b899c20c35b6',1723270800,19945,'MADRS',0.0,'{score}','010c053b7dac6fba1e2aa450c31102d4');
INSERT INTO "observation" VALUES('611da1388eb3de9f8e360fb85b9fbad4','dcf2ce9d3d62330dd052b899c20c35b6',1723443300,19947,'QIDSSR16',0.0,'{score}','ae335d9447f7b13215a6a5be796e5d41');
INSERT INTO "observation" VALUES('84ec02b9e12e83fbdc8fc6fee79280ed','dcf2ce9d3d62330dd052b899c20c35b6',1728808500,20009,'MADRS',0.0,'{score}','2a3e657ba9bbecc2c4162a0118599ec1');
INSERT INTO "observation" VALUES('9d3b91a318c8df1e3f5de64401e76c3c','dcf2ce9d3d62330dd052b899c20c35b6',1749830100,20252,'MADRS',2.0,'{score}','a735b9e080644ec15aee2689832764e6');
CREATE TABLE patient (
	id VARCHAR(64) NOT NULL, 
	birth_year INTEGER NOT NULL, 
	sex VARCHAR(16) NOT NULL, 
	diagnosis VARCHAR(16) NOT NULL, 
	failed_trials INTEGER, 
	substance_use_history VARCHAR(16), 
	psychosis_history VARCHAR(16), 
	row_hash VARCHAR(64) NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO "patient" VALUES('1d7f78ce2280563f13b335158723ac55',1954,'male','F32.2',5,'no','no','5c9048569480c986a007cf8427c0429f');
INSERT INTO "patient" VALUES('dc5313d9aa6cc13ff052450d50565c3e',1990,'female','F33.2',4,'unknown','no','dd1fdeaaad21fc40c41c7078b93922fd');
INSERT INTO "patient" VALUES('e9e5af30fa5d7dd6c8c15c9c7d50b3d2',2006,'female','F33.1',4,'no','no','d3ca6fb49adc52661c4209baaccf6553');
INSERT INTO "patient" VALUES('7ef052062cce261974488a1855a1bf9e',1981,'female','F33.2',2,'no','unknown','8b251d3e8389fec5e7fc1350d164330a');
INSERT INTO "patient" VALUES('4aa62740721b83dcefa8cc9ae9b2b520',1973,'female','F32.2',2,'no','unknown','b2cd90c03ac045f141dc3da57787feb2');
INSERT INTO "patient" VALUES('6e16ed2558f67005f9f4fd4a41fa257b',1962,'female','F32.2',2,'no','no','8246b34b17be131b0096e385e1f47d95');
INSERT INTO "patient" VALUES('dcf2ce9d3d62330dd052b899c20c35b6',1987,'female','F32.1',7,'yes','no','4b9cdc8249630f182952b4c071a556e9');
CREATE TABLE request_nonce (
	kid VARCHAR(64) NOT NULL, 
	nonce VARCHAR(128) NOT NULL, 
	expires_s BIGINT NOT NULL, 
	CONSTRAINT pk_request_nonce PRIMARY KEY (kid, nonce)
);
INSERT INTO "request_nonce" VALUES('Q59GGkqG2mDxkeink0PqyBBIYHieOTTpAM5jklyEhkM','90MX6-gUTlx7EiEZcBEtfOnMB7J0o8nj',1796240040);
INSERT INTO "request_nonce" VALUES('Q59GGkqG2mDxkeink0PqyBBIYHieOTTpAM5jklyEhkM','64m7paFCEscPMNPWyxCHY6b4ONm2fAWJ',1796240040);
INSERT INTO "request_nonce" VALUES('Q59GGkqG2mDxkeink0PqyBBIYHieOTTpAM5jklyEhkM','odv_Huu-Iy0UbS_lbIKAs29S1DWMJH5U',1796240040);
CREATE TABLE store_schema_version (
	version INTEGER NOT NULL, 
	description VARCHAR(200) NOT NULL, 
	PRIMARY KEY (version)
);
INSERT INTO "store_schema_version" VALUES(1,'record tables of the minimum dataset');
INSERT INTO "store_schema_version" VALUES(2,'erased_patient: pseudonyms of erased patients, skipped by later imports');
CREATE INDEX ix_administration_day ON administration (day);
CREATE INDEX ix_administration_patient_at ON administration (patient_id, at_s);
CREATE INDEX ix_dispense_patient_day ON dispense (patient_id, day);
CREATE INDEX ix_observation_patient_code_at ON observation (patient_id, code, at_s);
CREATE INDEX ix_adverse_event_patient_at ON adverse_event (patient_id, at_s);
CREATE INDEX ix_discontinuation_patient_day ON discontinuation (patient_id, day);
CREATE INDEX ix_request_nonce_expires_s ON request_nonce (expires_s);
CREATE INDEX ix_disclosure_answer_cache_requester ON disclosure_answer_cache (requester_kid);
COMMIT;
